import { memo, useMemo } from 'react';
import type { RawResponse } from '../../api/client';
import { ErrorNotice } from '../../components/notices';
import { bodyView, contentTypeOf, formatBytes, problemOf, statusLine, statusTone } from './http';

/** What was sent (never the key itself) and what came back, or why nothing came back. */
export interface PlaygroundResult {
  method: string;
  pathAndQuery: string;
  keyLabel: string;
  response: RawResponse | null;
  error: unknown;
}

/**
 * The answer as it came: status line, duration and size, the problem of a refusal in
 * words, the body (pretty-printed JSON, text otherwise, cut when very large) and the headers.
 */
export const ResponseView = memo(function ResponseView({ result, sending }: { result: PlaygroundResult | null; sending: boolean }) {
  return (
    <section className="card playground-response" aria-labelledby="playground-response-title" aria-busy={sending}>
      <h2 id="playground-response-title">Response</h2>
      {sending && (
        <p className="muted" role="status">
          Waiting for the answer…
        </p>
      )}
      {!sending && !result && <p className="muted">Send a request to see the answer here: status, duration, headers and body.</p>}
      {result && !result.response && (
        <ErrorNotice error={result.error}>
          {result.method} {result.pathAndQuery}: no answer.{' '}
        </ErrorNotice>
      )}
      {result?.response && <Answer result={result} response={result.response} />}
    </section>
  );
});

function Answer({ result, response }: { result: PlaygroundResult; response: RawResponse }) {
  // an export can be megabytes: parsed and measured once per answer, not on every render
  const { contentType, view, problem, bytes } = useMemo(() => {
    const type = contentTypeOf(response.headers);
    return {
      contentType: type,
      view: bodyView(response.body, type),
      problem: problemOf(response.status, type, response.body),
      bytes: new TextEncoder().encode(response.body).length,
    };
  }, [response]);
  return (
    <>
      <div className="pg-response-line">
        <output aria-label="Response status" className={`badge badge-${statusTone(response.status)} pg-status-badge`}>
          {statusLine(response.status, response.statusText)}
        </output>
        <span>
          <span className="muted">in</span> {response.durationMs} ms
        </span>
        <span>{formatBytes(bytes)}</span>
        {contentType && <code className="muted">{contentType}</code>}
      </div>
      <p className="field-hint pg-sent-line">
        {result.method} <code>{result.pathAndQuery}</code> with {result.keyLabel}
      </p>
      {problem && (
        <div className="notice notice-error" role="alert" aria-label="Problem">
          <strong>{problem.title}</strong>
          {problem.detail && problem.detail !== problem.title && <> — {problem.detail}</>}
          {problem.code && (
            <>
              {' '}
              <span className="badge badge-bad">{problem.code}</span>
            </>
          )}
          {problem.errors.length > 0 && (
            <ul className="pg-problem-errors">
              {problem.errors.map((e, i) => (
                <li key={i}>
                  {e.field ? (
                    <>
                      <code>{e.field}</code>: {e.message}
                    </>
                  ) : (
                    e.message
                  )}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <h3 className="pg-response-subtitle">Body</h3>
      {view.truncated && (
        <div className="notice notice-warn" role="note">
          The body is {view.totalChars.toLocaleString('en')} characters long; the first {view.text.length.toLocaleString('en')} are shown.
        </div>
      )}
      <pre className={view.kind === 'text' ? 'pg-response-body pg-body-text' : 'pg-response-body'} role="region" aria-label="Response body" tabIndex={0}>
        {view.kind === 'empty' ? <span className="muted">(no body)</span> : view.text}
      </pre>
      <h3 className="pg-response-subtitle" id="playground-headers-title">
        Headers
      </h3>
      <div className="table-wrap">
        <table className="pg-headers-table" aria-labelledby="playground-headers-title">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {response.headers.map(([name, value], i) => (
              <tr key={`${name}-${i}`}>
                <td>
                  <code>{name}</code>
                </td>
                <td className="pg-header-value">{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
