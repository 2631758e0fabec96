/**
 * The request and response sides of the playground: checking the body as JSON before
 * anything is sent, the status line, the body as it is shown, the problem document of a
 * refusal, and the equivalent curl command. Pure functions, no React.
 */

const REASONS: Record<number, string> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a Teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  511: 'Network Authentication Required',
};

/** The reason phrase of a status code (RFC 9110), or the class of it for a code it does not know. */
export function reasonPhrase(status: number): string {
  if (REASONS[status]) return REASONS[status];
  if (status >= 200 && status < 300) return 'Success';
  if (status >= 300 && status < 400) return 'Redirection';
  if (status >= 400 && status < 500) return 'Client Error';
  if (status >= 500 && status < 600) return 'Server Error';
  return 'Unknown';
}

/**
 * `200 OK`: the code and the server's reason phrase, or the standard one when fetch gives
 * none (HTTP/2 has no reason phrase, and Chromium leaves it empty on some HTTP/1.1 answers).
 */
export function statusLine(status: number, statusText: string): string {
  const text = statusText.trim();
  return `${status} ${text || reasonPhrase(status)}`;
}

/** The badge class of a status: green 2xx, amber 3xx and 429, red otherwise. */
export function statusTone(status: number): 'ok' | 'warn' | 'bad' {
  if (status >= 200 && status < 300) return 'ok';
  if ((status >= 300 && status < 400) || status === 429) return 'warn';
  return 'bad';
}

/* ------------------------------------------------------------------ JSON check */

export type JsonCheck = { ok: true; value: unknown; empty: boolean } | { ok: false; message: string; line: number; column: number };

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/**
 * Checks a request body as JSON and, when it is not, says where and what in plain words
 * (`line 3, column 12: expected "," or "}" after the value of "name", found "\"".`) — the
 * same message in every browser, unlike JSON.parse's. An empty body is fine (none is sent).
 */
export function checkJson(text: string): JsonCheck {
  if (!text.trim()) return { ok: true, value: undefined, empty: true };
  try {
    const parser = new JsonScanner(text);
    parser.document();
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const { line, column } = lineAndColumn(text, err.position);
    return { ok: false, line, column, message: `line ${line}, column ${column}: ${err.message}` };
  }
  return { ok: true, value: JSON.parse(text) as unknown, empty: false };
}

/** 1-based line and column of a character offset. */
export function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

function describeChar(ch: string | undefined): string {
  if (ch === undefined) return 'the end of the text';
  if (ch === '\n') return 'a line break';
  if (ch === '\t') return 'a tab';
  if (ch === '"') return 'a double quote';
  return JSON.stringify(ch);
}

class JsonScanner {
  private i = 0;
  constructor(private readonly s: string) {}

  document(): void {
    this.space();
    this.value('the body');
    this.space();
    if (this.i < this.s.length) this.fail(`unexpected ${describeChar(this.s[this.i])} after the end of the JSON value`);
  }

  private fail(message: string, at = this.i): never {
    throw new JsonSyntaxError(message, at);
  }

  private space(): void {
    for (;;) {
      const ch = this.s[this.i];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') this.i++;
      else if (ch === '/' && (this.s[this.i + 1] === '/' || this.s[this.i + 1] === '*')) this.fail('JSON has no comments; remove it');
      else return;
    }
  }

  private value(what: string): void {
    const ch = this.s[this.i];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"') return this.string();
    if (ch === "'") this.fail('strings take double quotes ("), not single quotes');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.s.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    if (ch === undefined) this.fail(`the text ends where ${what} should be`);
    if (ch === '}' || ch === ']' || ch === ',') this.fail(`expected ${what}, found ${describeChar(ch)}`);
    const word = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i))?.[0];
    if (word) this.fail(`${JSON.stringify(word)} is not a JSON value; text goes in double quotes, and the literals are true, false and null`);
    this.fail(`expected ${what}, found ${describeChar(ch)}`);
  }

  private object(): void {
    this.i++; // {
    this.space();
    if (this.s[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.space();
      const ch = this.s[this.i];
      if (ch === '}') this.fail('a comma before "}" (a trailing comma) is not allowed in JSON', this.i);
      if (ch === "'") this.fail('property names take double quotes ("), not single quotes');
      if (ch !== '"') {
        const word = /^[A-Za-z_$][\w$-]*/.exec(this.s.slice(this.i))?.[0];
        if (word) this.fail(`property names go in double quotes: "${word}"`);
        this.fail(`expected a property name in double quotes, found ${describeChar(ch)}`);
      }
      const start = this.i;
      this.string();
      const name = this.s.slice(start + 1, this.i - 1);
      this.space();
      if (this.s[this.i] !== ':') this.fail(`expected ":" after the property name "${name}", found ${describeChar(this.s[this.i])}`);
      this.i++;
      this.space();
      this.value(`the value of "${name}"`);
      this.space();
      const next = this.s[this.i];
      if (next === ',') {
        this.i++;
        continue;
      }
      if (next === '}') {
        this.i++;
        return;
      }
      if (next === undefined) this.fail('the text ends before the object is closed with "}"');
      this.fail(`expected "," or "}" after the value of "${name}", found ${describeChar(next)}`);
    }
  }

  private array(): void {
    this.i++; // [
    this.space();
    if (this.s[this.i] === ']') {
      this.i++;
      return;
    }
    for (;;) {
      this.space();
      if (this.s[this.i] === ']') this.fail('a comma before "]" (a trailing comma) is not allowed in JSON');
      this.value('a list item');
      this.space();
      const next = this.s[this.i];
      if (next === ',') {
        this.i++;
        continue;
      }
      if (next === ']') {
        this.i++;
        return;
      }
      if (next === undefined) this.fail('the text ends before the list is closed with "]"');
      this.fail(`expected "," or "]" after a list item, found ${describeChar(next)}`);
    }
  }

  private string(): void {
    const start = this.i;
    this.i++; // "
    for (;;) {
      const ch = this.s[this.i];
      if (ch === undefined) this.fail('a string is not closed with a double quote', start);
      if (ch === '"') {
        this.i++;
        return;
      }
      if (ch === '\n' || ch === '\r') this.fail('a line break inside a string must be written \\n');
      if (ch < ' ') this.fail('a control character inside a string must be escaped');
      if (ch === '\\') {
        const esc = this.s[this.i + 1];
        if (esc === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.s.slice(this.i + 2, this.i + 6))) this.fail('\\u must be followed by four hex digits');
          this.i += 6;
          continue;
        }
        if (esc === undefined || !'"\\/bfnrt'.includes(esc)) this.fail(`${describeChar('\\' + (esc ?? ''))} is not a JSON escape`);
        this.i += 2;
        continue;
      }
      this.i++;
    }
  }

  private number(): void {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.s.slice(this.i));
    if (!m) this.fail('not a valid number');
    const after = this.s[this.i + m[0].length];
    if (after !== undefined && /[\d.xXeE]/.test(after)) this.fail('not a valid number (no leading zeros, hex or trailing dots in JSON)');
    this.i += m[0].length;
  }
}

/* ------------------------------------------------------------------ response body */

export const BODY_VIEW_LIMIT = 100_000;

export interface BodyView {
  kind: 'json' | 'text' | 'empty';
  text: string;
  /** Characters in the whole body; `text` holds at most BODY_VIEW_LIMIT of them. */
  totalChars: number;
  truncated: boolean;
}

/** The content type of a response (lower case, without parameters), '' when none. */
export function contentTypeOf(headers: [string, string][]): string {
  const value = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  return value.split(';')[0].trim().toLowerCase();
}

export function isJsonType(contentType: string): boolean {
  return /^application\/(?:[\w.-]+\+)?json$/.test(contentType);
}

/** The body as shown: pretty-printed when it is JSON, as it came otherwise, cut at `limit` characters. */
export function bodyView(body: string, contentType: string, limit = BODY_VIEW_LIMIT): BodyView {
  if (!body) return { kind: 'empty', text: '', totalChars: 0, truncated: false };
  let text = body;
  let kind: BodyView['kind'] = 'text';
  if (isJsonType(contentType) || (!contentType && /^\s*[[{]/.test(body))) {
    try {
      text = JSON.stringify(JSON.parse(body), null, 2);
      kind = 'json';
    } catch {
      // not JSON after all: shown as it came
    }
  }
  const truncated = text.length > limit;
  return { kind, text: truncated ? text.slice(0, limit) : text, totalChars: text.length, truncated };
}

export interface ProblemView {
  title: string;
  detail: string | null;
  code: string | null;
  type: string | null;
  errors: { field: string; message: string }[];
}

/**
 * The problem document of a refusal (application/problem+json, or JSON with a title or
 * detail on a 4xx/5xx answer), its fields checked; null when the body is not one.
 */
export function problemOf(status: number, contentType: string, body: string): ProblemView | null {
  const isProblemType = contentType === 'application/problem+json';
  if (!isProblemType && !(status >= 400 && isJsonType(contentType))) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const p = parsed as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v : null);
  if (!isProblemType && !text(p.title) && !text(p.detail)) return null;
  const errors = Array.isArray(p.errors)
    ? p.errors
        .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
        .map((e) => ({ field: typeof e.field === 'string' ? e.field : '', message: typeof e.message === 'string' ? e.message : String(e.message ?? '') }))
    : [];
  return { title: text(p.title) ?? reasonPhrase(status), detail: text(p.detail), code: text(p.code), type: text(p.type), errors };
}

/** `1.2 KB`, `340 B`: the size of a body in UTF-8 bytes. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/* ------------------------------------------------------------------ curl */

/** Quotes a word for a POSIX shell: `it's` → `'it'\''s'`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The curl command of a request. The key is never in it: the header reads
 * `$KEYWARD_API_KEY` (double-quoted so the shell expands it), whatever key was chosen.
 */
export function curlCommand(request: { origin: string; method: string; pathAndQuery: string; body?: string }): string {
  const lines = [`curl -X ${request.method} ${shellQuote(request.origin + request.pathAndQuery)}`, `-H "x-api-key: $KEYWARD_API_KEY"`];
  if (request.body !== undefined && request.body.trim()) {
    lines.push(`-H 'content-type: application/json'`);
    lines.push(`--data-raw ${shellQuote(request.body)}`);
  }
  return lines.join(' \\\n  ');
}
