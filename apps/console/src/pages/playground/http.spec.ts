import {
  bodyView,
  checkJson,
  contentTypeOf,
  curlCommand,
  formatBytes,
  isJsonType,
  lineAndColumn,
  problemOf,
  reasonPhrase,
  shellQuote,
  statusLine,
  statusTone,
} from './http';

describe('status line', () => {
  it('keeps the reason phrase the server sent', () => {
    expect(statusLine(200, 'OK')).toBe('200 OK');
    expect(statusLine(401, 'Unauthorized')).toBe('401 Unauthorized');
  });

  it('derives the reason phrase from the code when fetch gives none', () => {
    expect(statusLine(200, '')).toBe('200 OK');
    expect(statusLine(201, '  ')).toBe('201 Created');
    expect(statusLine(401, '')).toBe('401 Unauthorized');
    expect(statusLine(429, '')).toBe('429 Too Many Requests');
    expect(statusLine(503, '')).toBe('503 Service Unavailable');
  });

  it('names the class of a code it does not know', () => {
    expect(reasonPhrase(299)).toBe('Success');
    expect(reasonPhrase(499)).toBe('Client Error');
    expect(reasonPhrase(599)).toBe('Server Error');
    expect(reasonPhrase(0)).toBe('Unknown');
  });

  it('colours success, warnings and failures', () => {
    expect(statusTone(204)).toBe('ok');
    expect(statusTone(304)).toBe('warn');
    expect(statusTone(429)).toBe('warn');
    expect(statusTone(400)).toBe('bad');
    expect(statusTone(500)).toBe('bad');
  });
});

describe('checking the body as JSON', () => {
  const fails = (text: string) => {
    const r = checkJson(text);
    if (r.ok) throw new Error(`expected ${JSON.stringify(text)} to fail`);
    return r;
  };

  it('accepts JSON and gives its value', () => {
    expect(checkJson('{"name": "x", "n": [1, -2.5e3, true, null], "s": "a\\"b\\u00e9"}')).toEqual({
      ok: true,
      empty: false,
      value: { name: 'x', n: [1, -2500, true, null], s: 'a"bé' },
    });
    expect(checkJson('  [ ]  ')).toEqual({ ok: true, empty: false, value: [] });
    expect(checkJson('"text"')).toEqual({ ok: true, empty: false, value: 'text' });
  });

  it('takes an empty box as no body', () => {
    expect(checkJson('')).toEqual({ ok: true, empty: true, value: undefined });
    expect(checkJson(' \n\t')).toEqual({ ok: true, empty: true, value: undefined });
  });

  it('says where a comma is missing', () => {
    const r = fails('{\n  "name": "a"\n  "type": "standard"\n}');
    expect(r).toMatchObject({ line: 3, column: 3 });
    expect(r.message).toBe('line 3, column 3: expected "," or "}" after the value of "name", found a double quote');
  });

  it('names trailing commas, single quotes, unquoted names, comments and bare words', () => {
    expect(fails('{"a": 1,}').message).toBe('line 1, column 9: a comma before "}" (a trailing comma) is not allowed in JSON');
    expect(fails('[1, 2,]').message).toBe('line 1, column 7: a comma before "]" (a trailing comma) is not allowed in JSON');
    expect(fails("{'a': 1}").message).toBe('line 1, column 2: property names take double quotes ("), not single quotes');
    expect(fails("{\"a\": 'x'}").message).toBe('line 1, column 7: strings take double quotes ("), not single quotes');
    expect(fails('{name: "x"}').message).toBe('line 1, column 2: property names go in double quotes: "name"');
    expect(fails('{"a": 1} // note').message).toBe('line 1, column 10: JSON has no comments; remove it');
    expect(fails('{"a": yes}').message).toContain('"yes" is not a JSON value');
    expect(fails('{"a": True}').message).toContain('"True" is not a JSON value');
  });

  it('names an unfinished text', () => {
    expect(fails('{"a": 1').message).toBe('line 1, column 8: the text ends before the object is closed with "}"');
    expect(fails('[1').message).toBe('line 1, column 3: the text ends before the list is closed with "]"');
    expect(fails('{"a": ').message).toBe('line 1, column 7: the text ends where the value of "a" should be');
    expect(fails('{"a": "open').message).toBe('line 1, column 7: a string is not closed with a double quote');
  });

  it('refuses what JSON.parse refuses in numbers, strings and after the value', () => {
    expect(fails('{"a": 01}').message).toContain('not a valid number');
    expect(fails('{"a": 1.}').message).toContain('not a valid number');
    expect(fails('{"a": 0x1F}').message).toContain('not a valid number');
    expect(fails('{"a": -}').message).toContain('not a valid number');
    expect(fails('{"a": "x\ny"}').message).toContain('a line break inside a string must be written \\n');
    expect(fails('{"a": "\\q"}').message).toContain('is not a JSON escape');
    expect(fails('{"a": "\\u12"}').message).toContain('\\u must be followed by four hex digits');
    expect(fails('{} {}').message).toBe('line 1, column 4: unexpected "{" after the end of the JSON value');
    expect(fails('{"a" 1}').message).toBe('line 1, column 6: expected ":" after the property name "a", found "1"');
    expect(fails('[,1]').message).toBe('line 1, column 2: expected a list item, found ","');
  });

  it('agrees with JSON.parse on a set of texts', () => {
    const texts = ['{}', '[]', '1', '-0', '1e5', '{"a":{"b":[{}]}}', '{"a":1,"a":2}', '"\\/"', '[1,]', '{"a"}', 'nul', '\u00a0{}', '{"\t":1}', '"\t"'];
    for (const t of texts) {
      let parses = true;
      try {
        JSON.parse(t);
      } catch {
        parses = false;
      }
      expect([t, checkJson(t).ok]).toEqual([t, parses]);
    }
  });

  it('counts lines and columns from 1', () => {
    expect(lineAndColumn('ab\ncd', 0)).toEqual({ line: 1, column: 1 });
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});

describe('response body', () => {
  it('reads the content type without parameters', () => {
    expect(contentTypeOf([['Content-Type', 'application/problem+json; charset=utf-8']])).toBe('application/problem+json');
    expect(contentTypeOf([['x-other', 'y']])).toBe('');
    expect(isJsonType('application/json')).toBe(true);
    expect(isJsonType('application/problem+json')).toBe(true);
    expect(isJsonType('application/x-ndjson')).toBe(false);
    expect(isJsonType('text/csv')).toBe(false);
  });

  it('pretty-prints JSON', () => {
    expect(bodyView('{"a":1}', 'application/json')).toEqual({ kind: 'json', text: '{\n  "a": 1\n}', totalChars: 12, truncated: false });
  });

  it('shows text (CSV, JSON lines, broken JSON) as it came', () => {
    expect(bodyView('a,b\n1,2\n', 'text/csv')).toMatchObject({ kind: 'text', text: 'a,b\n1,2\n' });
    expect(bodyView('{"a":1}\n{"a":2}\n', 'application/x-ndjson')).toMatchObject({ kind: 'text' });
    expect(bodyView('{"a":', 'application/json')).toMatchObject({ kind: 'text', text: '{"a":' });
    expect(bodyView('', 'application/json')).toEqual({ kind: 'empty', text: '', totalChars: 0, truncated: false });
  });

  it('cuts a very large body and says how large it was', () => {
    const view = bodyView('x'.repeat(250), 'text/plain', 100);
    expect(view).toMatchObject({ truncated: true, totalChars: 250 });
    expect(view.text).toHaveLength(100);
  });

  it('reads a problem document with its fields', () => {
    const body = JSON.stringify({
      type: 'https://keyward.dev/problems/validation-failed',
      title: 'Bad Request',
      status: 400,
      detail: 'name: must be longer than or equal to 1 characters',
      code: 'VALIDATION_FAILED',
      errors: [{ field: 'name', message: 'must be longer than or equal to 1 characters' }, 'junk'],
    });
    expect(problemOf(400, 'application/problem+json', body)).toEqual({
      title: 'Bad Request',
      detail: 'name: must be longer than or equal to 1 characters',
      code: 'VALIDATION_FAILED',
      type: 'https://keyward.dev/problems/validation-failed',
      errors: [{ field: 'name', message: 'must be longer than or equal to 1 characters' }],
    });
  });

  it('gives a problem a title from the status when it has none', () => {
    expect(problemOf(401, 'application/problem+json', '{"code":"INVALID_API_KEY"}')).toMatchObject({ title: 'Unauthorized', code: 'INVALID_API_KEY' });
  });

  it('takes a JSON refusal with a title as a problem, not a success or other bodies', () => {
    expect(problemOf(404, 'application/json', '{"title":"Not Found"}')).toMatchObject({ title: 'Not Found' });
    expect(problemOf(200, 'application/json', '{"title":"x"}')).toBeNull();
    expect(problemOf(400, 'application/json', '{"items":[]}')).toBeNull();
    expect(problemOf(502, 'text/html', '<h1>Bad gateway</h1>')).toBeNull();
    expect(problemOf(400, 'application/problem+json', 'not json')).toBeNull();
    expect(problemOf(400, 'application/problem+json', '[1]')).toBeNull();
  });

  it('writes sizes in B, KB and MB', () => {
    expect(formatBytes(340)).toBe('340 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
  });
});

describe('curl', () => {
  it('quotes words for a POSIX shell', () => {
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('$HOME')).toBe(`'$HOME'`);
  });

  it('puts $KEYWARD_API_KEY where the key goes, never a key', () => {
    const cmd = curlCommand({ origin: 'http://localhost:3000', method: 'GET', pathAndQuery: '/v1/keys?limit=10&status=active,revoked' });
    expect(cmd).toBe(`curl -X GET 'http://localhost:3000/v1/keys?limit=10&status=active,revoked' \\\n  -H "x-api-key: $KEYWARD_API_KEY"`);
  });

  it('sends the body as JSON, quoted safely', () => {
    const cmd = curlCommand({ origin: 'https://kw.example', method: 'POST', pathAndQuery: '/v1/keys', body: `{"name": "Bob's key"}` });
    expect(cmd).toBe(
      `curl -X POST 'https://kw.example/v1/keys' \\\n  -H "x-api-key: $KEYWARD_API_KEY" \\\n  -H 'content-type: application/json' \\\n  --data-raw '{"name": "Bob'\\''s key"}'`,
    );
  });

  it('leaves an empty body out', () => {
    expect(curlCommand({ origin: 'http://h', method: 'POST', pathAndQuery: '/x', body: '  ' })).not.toContain('--data-raw');
  });
});
