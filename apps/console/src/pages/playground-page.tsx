import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../api/problem';
import type { Permission } from '../api/types';
import { ErrorNotice, Loading } from '../components/notices';
import { useSession } from '../session';
import { checkJson, curlCommand } from './playground/http';
import {
  buildPathAndQuery,
  exampleBody,
  groupByTag,
  initialValues,
  isOpenApiDocument,
  listOperations,
  missingPathParameters,
  operationLabel,
  paramKey,
  type OpenApiDocument,
  type Operation,
} from './playground/openapi';
import { ParameterField } from './playground/parameter-field';
import { ResponseView, type PlaygroundResult } from './playground/response-view';
import { SavedRequests, type SavedNotice } from './playground/saved-requests';
import { readSaved, sanitizeForSaving, withSaved, withoutSaved, writeSaved, type SavedRequest } from './playground/saved';

const OPENAPI_QUERY = ['playground', 'openapi'] as const;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The API explorer: any operation of the OpenAPI document, its parameters and JSON body
 * filled in, sent with the signed-in key or another pasted one, the answer shown as it came.
 */
export function PlaygroundPage() {
  const { client } = useSession();
  const docQuery = useQuery({
    queryKey: OPENAPI_QUERY,
    // the document may be key-protected (DOCS_PUBLIC=false): the client sends the key anyway
    queryFn: async () => {
      const doc = await client.openApiDocument();
      if (!isOpenApiDocument(doc)) throw new ApiError({ status: 502, title: 'The answer of /docs/openapi.json is not an OpenAPI document' });
      return doc;
    },
    staleTime: Infinity,
  });

  return (
    <section aria-labelledby="playground-title">
      <h1 id="playground-title">Playground</h1>
      <p className="muted playground-intro">
        Call any endpoint of the API with the signed-in key or another one, and see the answer as it came. Requests are real: they change data.
      </p>
      {docQuery.isPending && <Loading what="the OpenAPI document" />}
      {docQuery.isError && (
        <>
          <ErrorNotice error={docQuery.error}>The endpoint list could not be loaded from /docs/openapi.json. </ErrorNotice>
          <button type="button" onClick={() => void docQuery.refetch()}>
            Try again
          </button>
        </>
      )}
      {docQuery.data && <Playground doc={docQuery.data} />}
    </section>
  );
}

type FormErrors = Partial<Record<'params' | 'body' | 'key', string>>;

interface FormState {
  opId: string;
  values: Record<string, string>;
  body: string;
}

function formFor(doc: OpenApiDocument, op: Operation): FormState {
  return { opId: op.id, values: initialValues(op), body: exampleBody(doc, op) };
}

function Playground({ doc }: { doc: OpenApiDocument }) {
  const session = useSession();
  const queryClient = useQueryClient();
  const operations = useMemo(() => listOperations(doc), [doc]);
  const groups = useMemo(() => groupByTag(operations, Array.isArray(doc.tags) ? doc.tags : []), [operations, doc.tags]);
  const byId = useMemo(() => new Map(operations.map((op) => [op.id, op])), [operations]);

  const [form, setForm] = useState<FormState | null>(() => {
    const first = byId.get('GET /v1/me') ?? operations[0];
    return first ? formFor(doc, first) : null;
  });
  const [keyChoice, setKeyChoice] = useState<'session' | 'other'>('session');
  const [otherKey, setOtherKey] = useState('');
  // why the request was not sent, per part of the form (all of them at once)
  const [formErrors, setFormErrors] = useState<FormErrors>({});
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<PlaygroundResult | null>(null);
  const [saved, setSaved] = useState<SavedRequest[]>(() => readSaved(window.localStorage));
  const [requestName, setRequestName] = useState('');
  const [savedNotice, setSavedNotice] = useState<SavedNotice | null>(null);
  const [copyNotice, setCopyNotice] = useState<string | null>(null);
  const sendCount = useRef(0);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const otherKeyRef = useRef<HTMLInputElement>(null);

  if (!form) {
    return (
      <div className="notice notice-info" role="note">
        The OpenAPI document lists no operations.
      </div>
    );
  }
  const op = byId.get(form.opId) ?? operations[0];
  const showBody = !!op.body || BODY_METHODS.has(op.method);
  const pathAndQuery = buildPathAndQuery(op.path, op.parameters, form.values);
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');

  const choose = (id: string) => {
    const next = byId.get(id);
    if (!next) return;
    setForm(formFor(doc, next));
    setFormErrors({});
  };
  const setValue = (key: string, value: string) => {
    setForm({ ...form, values: { ...form.values, [key]: value } });
    if (formErrors.params) setFormErrors({ ...formErrors, params: undefined });
  };
  const setBody = (body: string) => {
    setForm({ ...form, body });
    if (formErrors.body) setFormErrors({ ...formErrors, body: undefined });
  };

  const send = async (e: FormEvent) => {
    e.preventDefault();
    const errors: FormErrors = {};
    const focus: (() => void)[] = [];
    const missing = missingPathParameters(op, form.values);
    if (missing.length) {
      errors.params = `Fill in the path parameter${missing.length > 1 ? 's' : ''} ${missing.join(', ')}. Nothing was sent.`;
      focus.push(() => document.getElementById(inputIdOf('path', missing[0]))?.focus());
    }
    let body: string | undefined;
    if (showBody) {
      const check = checkJson(form.body);
      if (!check.ok) {
        errors.body = `The request body is not valid JSON: ${check.message}. Nothing was sent.`;
        focus.push(() => {
          const area = bodyRef.current;
          if (!area) return;
          area.focus();
          const offset = offsetOf(form.body, check.line, check.column);
          area.setSelectionRange(offset, offset);
        });
      } else body = check.empty ? undefined : form.body;
    }
    const key = keyChoice === 'session' ? session.key : otherKey.trim();
    if (!key) {
      errors.key = 'Paste the API key to send, or choose "Signed-in key". Nothing was sent.';
      focus.push(() => otherKeyRef.current?.focus());
    }
    setFormErrors(errors);
    if (focus.length) {
      focus[0]();
      return;
    }
    const attempt = ++sendCount.current;
    const sent = { method: op.method, pathAndQuery, keyLabel: keyChoice === 'session' ? 'the signed-in key' : 'another key' };
    // the previous answer goes: shown beside a new request, it read as that request's answer
    setResult(null);
    setSending(true);
    try {
      const response = await session.client.raw(op.method, pathAndQuery, body, key);
      if (attempt === sendCount.current) setResult({ ...sent, response, error: null });
    } catch (err) {
      if (attempt === sendCount.current) setResult({ ...sent, response: null, error: err });
    } finally {
      if (attempt === sendCount.current) setSending(false);
    }
    // what the request may have changed shows fresh on the other pages
    if (op.method !== 'GET' && op.method !== 'HEAD') {
      void queryClient.invalidateQueries({ predicate: (q) => q.queryKey[0] !== OPENAPI_QUERY[0] });
    }
  };

  const save = () => {
    const name = requestName.trim() || `${op.method} ${op.path}`;
    const { request, removed } = sanitizeForSaving({
      id: newId(),
      name,
      method: op.method,
      path: op.path,
      params: Object.fromEntries(Object.entries(form.values).filter(([, v]) => v !== '')),
      body: showBody ? form.body : '',
      savedAt: new Date().toISOString(),
    });
    const { list, replaced } = withSaved(saved, request);
    try {
      writeSaved(window.localStorage, list);
    } catch {
      setSavedNotice({ tone: 'error', text: 'The browser refused to store the request (storage full or disabled).' });
      return;
    }
    setSaved(list);
    setRequestName(request.name);
    const notes = [`Saved “${request.name}”${replaced ? ', replacing the earlier one' : ''}.`];
    if (removed) notes.push(`${removed} key-like value${removed === 1 ? ' was' : 's were'} left out: keys are never saved.`);
    setSavedNotice({ tone: 'success', text: notes.join(' ') });
  };

  const load = (request: SavedRequest) => {
    const target = byId.get(`${request.method} ${request.path}`);
    if (!target) {
      setSavedNotice({ tone: 'error', text: `“${request.name}” calls ${request.method} ${request.path}, which the OpenAPI document no longer lists.` });
      return;
    }
    const known = new Set(target.parameters.map((p) => paramKey(p.in, p.name)));
    const values = { ...initialValues(target), ...Object.fromEntries(Object.entries(request.params).filter(([k]) => known.has(k))) };
    setForm({ opId: target.id, values, body: request.body || exampleBody(doc, target) });
    setRequestName(request.name);
    setFormErrors({});
    setSavedNotice({ tone: 'info', text: `Loaded “${request.name}”: ${request.method} ${request.path}.` });
  };

  const remove = (request: SavedRequest) => {
    const list = withoutSaved(saved, request.id);
    try {
      writeSaved(window.localStorage, list);
    } catch {
      setSavedNotice({ tone: 'error', text: 'The browser refused to change the stored requests.' });
      return;
    }
    setSaved(list);
    setSavedNotice({ tone: 'success', text: `Deleted “${request.name}”.` });
  };

  const curl = curlCommand({ origin: window.location.origin, method: op.method, pathAndQuery, body: showBody ? form.body : undefined });
  const copyCurl = async () => {
    try {
      await navigator.clipboard.writeText(curl);
      setCopyNotice('Copied the curl command.');
    } catch {
      setCopyNotice('Copying was refused by the browser; select the command and copy it instead.');
    }
  };

  return (
    <div className="playground">
      <div className="playground-column">
        <form className="card" onSubmit={send} noValidate aria-labelledby="playground-request-title">
          <h2 id="playground-request-title">Request</h2>
          <label htmlFor="playground-endpoint">Endpoint</label>
          <select id="playground-endpoint" value={op.id} onChange={(e) => choose(e.target.value)} aria-describedby="playground-op-info">
            {groups.map((g) => (
              <optgroup key={g.tag} label={g.tag}>
                {g.operations.map((o) => (
                  <option key={o.id} value={o.id}>
                    {operationLabel(o)}
                    {o.deprecated ? ' (deprecated)' : ''}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
          <OperationInfo op={op} granted={session.me.permissions} />

          {pathParams.length > 0 && (
            <fieldset>
              <legend>Path parameters</legend>
              <div className="pg-param-grid">
                {pathParams.map((p) => (
                  <ParameterField
                    key={p.name}
                    inputId={inputIdOf('path', p.name)}
                    parameter={p}
                    invalid={!!formErrors.params && !(form.values[paramKey('path', p.name)] ?? '').trim()}
                    value={form.values[paramKey('path', p.name)] ?? ''}
                    onChange={(v) => setValue(paramKey('path', p.name), v)}
                  />
                ))}
              </div>
            </fieldset>
          )}
          {queryParams.length > 0 && (
            <fieldset>
              <legend>Query parameters</legend>
              <div className="pg-param-grid">
                {queryParams.map((p) => (
                  <ParameterField
                    key={p.name}
                    inputId={inputIdOf('query', p.name)}
                    parameter={p}
                    value={form.values[paramKey('query', p.name)] ?? ''}
                    onChange={(v) => setValue(paramKey('query', p.name), v)}
                  />
                ))}
              </div>
            </fieldset>
          )}
          {op.parameters.some((p) => p.required) && (
            <p className="field-hint">
              <span className="pg-required-mark" aria-hidden="true">
                *
              </span>{' '}
              required
            </p>
          )}
          {formErrors.params && (
            <p className="field-error" role="alert">
              {formErrors.params}
            </p>
          )}

          {showBody && (
            <div>
              <div className="pg-body-tools">
                <span className="pg-label-line">
                  <label htmlFor="playground-body">Request body</label>
                  {op.body?.required && (
                    <span className="pg-required-mark" aria-hidden="true">
                      *
                    </span>
                  )}
                </span>
                <span>
                  <button type="button" className="link-button" onClick={() => setBody(exampleBody(doc, op))}>
                    Reset to example
                  </button>
                  {op.body?.schema && (
                    <button type="button" className="link-button" onClick={() => setBody(exampleBody(doc, op, { fill: 'all' }))}>
                      Example with every field
                    </button>
                  )}
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => {
                      const check = checkJson(form.body);
                      if (check.ok && !check.empty) setBody(JSON.stringify(check.value, null, 2));
                      else if (!check.ok) setFormErrors({ ...formErrors, body: `The request body is not valid JSON: ${check.message}.` });
                    }}
                  >
                    Format JSON
                  </button>
                </span>
              </div>
              <textarea
                id="playground-body"
                ref={bodyRef}
                value={form.body}
                onChange={(e) => setBody(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
                    e.preventDefault();
                    e.currentTarget.form?.requestSubmit();
                  }
                }}
                rows={Math.min(18, Math.max(6, form.body.split('\n').length + 1))}
                spellCheck={false}
                autoComplete="off"
                aria-invalid={formErrors.body ? true : undefined}
                aria-describedby="playground-body-hint"
              />
              <p id="playground-body-hint" className="field-hint">
                {op.body
                  ? `JSON (${op.body.contentType}), checked before it is sent; Ctrl+Enter sends. An empty box sends no body.`
                  : 'The document gives this operation no body; leave the box empty to send none.'}
              </p>
              {formErrors.body && (
                <p className="field-error" role="alert">
                  {formErrors.body}
                </p>
              )}
            </div>
          )}

          <fieldset>
            <legend>Key to send</legend>
            <div className="pg-radio-row">
              <label className="pg-radio">
                <input
                  type="radio"
                  name="playground-key"
                  checked={keyChoice === 'session'}
                  onChange={() => {
                    setKeyChoice('session');
                    if (formErrors.key) setFormErrors({ ...formErrors, key: undefined });
                  }}
                />
                Signed-in key
              </label>
              <label className="pg-radio">
                <input
                  type="radio"
                  name="playground-key"
                  checked={keyChoice === 'other'}
                  onChange={() => {
                    setKeyChoice('other');
                    if (formErrors.key) setFormErrors({ ...formErrors, key: undefined });
                  }}
                />
                Another key
              </label>
            </div>
            {keyChoice === 'session' ? (
              <p className="field-hint">
                Key <code>{session.me.keyId.slice(0, 8)}</code>, the one this console is signed in with.
              </p>
            ) : (
              <>
                <label htmlFor="playground-other-key">API key to send</label>
                <input
                  id="playground-other-key"
                  ref={otherKeyRef}
                  type="password"
                  value={otherKey}
                  onChange={(e) => {
                    setOtherKey(e.target.value);
                    if (formErrors.key) setFormErrors({ ...formErrors, key: undefined });
                  }}
                  placeholder="kw_…"
                  autoComplete="off"
                  data-1p-ignore="true"
                  data-lpignore="true"
                  spellCheck={false}
                  aria-describedby="playground-other-key-hint"
                />
                <p id="playground-other-key-hint" className="field-hint">
                  Sent in the x-api-key header of this request only; never saved, gone when you leave the page.
                </p>
              </>
            )}
            {formErrors.key && (
              <p className="field-error" role="alert">
                {formErrors.key}
              </p>
            )}
          </fieldset>

          <div className="pg-send-line">
            <code className="pg-send-target" title={`${op.method} ${pathAndQuery}`}>
              <span className="pg-method">{op.method}</span> {pathAndQuery}
            </code>
            <button type="submit" className="primary" disabled={sending} aria-describedby="playground-op-info">
              Send
            </button>
          </div>
        </form>

        <section className="card" aria-labelledby="playground-curl-title">
          <div className="pg-body-tools">
            <h2 id="playground-curl-title">curl</h2>
            <button type="button" className="link-button" onClick={() => void copyCurl()}>
              Copy command
            </button>
          </div>
          <pre className="pg-curl" aria-label="curl command" role="region" tabIndex={0}>
            {curl}
          </pre>
          <p className="field-hint">
            Set <code>KEYWARD_API_KEY</code> in your shell first; the command never holds the key.
          </p>
          {copyNotice && (
            <p className="field-hint" role="status">
              {copyNotice}
            </p>
          )}
        </section>

        <SavedRequests
          list={saved}
          name={requestName}
          placeholder={`${op.method} ${op.path}`}
          notice={savedNotice}
          onNameChange={setRequestName}
          onSave={save}
          onLoad={load}
          onDelete={remove}
        />
      </div>
      <ResponseView result={result} sending={sending} />
    </div>
  );
}

/** The summary, description and the permission the operation needs, when the document says. */
function OperationInfo({ op, granted }: { op: Operation; granted: readonly Permission[] }) {
  return (
    <div className="pg-op-info" id="playground-op-info">
      {op.summary && <p className="pg-op-summary">{op.summary}</p>}
      <p className="pg-op-badges">
        {op.deprecated && <span className="badge badge-warn">deprecated</span>}
        {!op.needsKey ? (
          <span className="badge badge-neutral">public: no key needed</span>
        ) : op.permissions ? (
          op.permissions.map((p) => {
            const has = granted.includes(p as Permission);
            return (
              <span key={p} className={`badge ${has ? 'badge-ok' : 'badge-warn'}`}>
                needs {p}
                {has ? '' : ' — the signed-in key lacks it'}
              </span>
            );
          })
        ) : (
          <span className="badge badge-neutral">any valid key</span>
        )}
      </p>
      {op.description && <p className="muted pg-op-description">{op.description}</p>}
      {op.otherParameters.length > 0 && (
        <p className="field-hint">Not filled here: {op.otherParameters.join(', ')}.</p>
      )}
    </div>
  );
}

function inputIdOf(location: 'path' | 'query', name: string): string {
  return `playground-${location}-${name.replace(/[^\w-]/g, '_')}`;
}

/** The character offset of a 1-based line and column. */
function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
  return Math.min(text.length, offset + column - 1);
}

function newId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}
