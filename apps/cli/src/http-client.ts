import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { Command, Option } from 'commander';

/**
 * The auditor's side of the command line: a running Keyward API, reached over HTTP with an
 * API key (audit:read). These are the command line's own client settings, not the server's
 * configuration (libs/config): they are read here, from the options or from
 *   KEYWARD_URL      the API's base URL (default http://127.0.0.1:3000)
 *   KEYWARD_API_KEY  the key; prefer it to --key, which other local users can see in the process list
 */
export interface ApiTarget {
  url: string;
  key: string;
}

export function addApiOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'base URL of the Keyward API').env('KEYWARD_URL').default('http://127.0.0.1:3000'))
    .addOption(new Option('--key <key>', 'API key with audit:read (prefer KEYWARD_API_KEY: options show in `ps`)').env('KEYWARD_API_KEY'));
}

export function apiTarget(o: { url?: string; key?: string }): ApiTarget {
  if (!o.key) throw new Error('an API key is needed: set KEYWARD_API_KEY (or pass --key)');
  let url: URL;
  try {
    url = new URL(o.url ?? '');
  } catch {
    throw new Error(`--url / KEYWARD_URL: "${o.url}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('--url / KEYWARD_URL: must be http(s)');
  return { url: url.toString().replace(/\/+$/, ''), key: o.key };
}

/** A refusal of the API, told in its own words (problem+json), never with the key. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

async function send(target: ApiTarget, path: string, accept: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(target.url + path, { headers: { 'x-api-key': target.key, accept } });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach the API at ${target.url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (res.ok) return res;
  throw apiError(res.status, res.statusText, await res.text());
}

/** The API's problem+json told in one line; the field errors it does not already name. */
function apiError(status: number, statusText: string, text: string): ApiError {
  let problem: { detail?: string; code?: string; errors?: { field: string; message: string }[] } = {};
  try {
    problem = JSON.parse(text);
  } catch {
    // not a problem document
  }
  const what = problem.detail ?? (text.slice(0, 200) || statusText);
  const untold = (problem.errors ?? []).map((e) => `${e.field}: ${e.message}`).filter((e) => !what.includes(e));
  const fields = untold.length ? ` (${untold.join('; ')})` : '';
  return new ApiError(status, problem.code, `the API answered ${status}${problem.code ? ` ${problem.code}` : ''}: ${what}${fields}`);
}

export async function getJson<T>(target: ApiTarget, path: string): Promise<T> {
  const res = await send(target, path, 'application/json');
  return (await res.json()) as T;
}

/**
 * The response body as a Node stream, with backpressure. node:http rather than fetch: on Node 20
 * a fetch body turned into a Node stream (Readable.fromWeb) and piped into a file slowed to a few
 * hundred rows a second on a large export, buffering as it went; IncomingMessage streams at the
 * speed of the disk with flat memory.
 */
export function getStream(
  target: ApiTarget,
  path: string,
  accept: string,
  idleTimeoutMs = 120_000,
): Promise<{ body: Readable; headers: http.IncomingHttpHeaders }> {
  const url = new URL(target.url + path);
  return new Promise((resolve, reject) => {
    let response: http.IncomingMessage | undefined;
    const req = (url.protocol === 'https:' ? https : http).get(url, { headers: { 'x-api-key': target.key, accept } }, (res) => {
      response = res;
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) return resolve({ body: res, headers: res.headers });
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(apiError(status, res.statusMessage ?? '', Buffer.concat(chunks).toString('utf8'))));
      res.on('error', reject);
    });
    req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(`cannot reach the API at ${target.url}: ${err.code ?? err.message}`)));
    // a stream that stops without ending (the API lost its database mid-export) must not hang us
    req.setTimeout(idleTimeoutMs, () => {
      const err = new Error(`nothing received from the API for ${idleTimeoutMs / 1000} s`);
      req.destroy(err);
      response?.destroy(err);
    });
  });
}
