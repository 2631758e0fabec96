import {
  MAX_SAVED_REQUESTS,
  REMOVED,
  SAVED_REQUESTS_STORAGE,
  parseSaved,
  readSaved,
  redactBody,
  redactText,
  sanitizeForSaving,
  withSaved,
  withoutSaved,
  writeSaved,
  type SavedRequest,
} from './saved';

// shaped like Keyward credentials, made up for the test
const KEY = 'kw_' + 'A1b2C3d4E5'.repeat(4) + 'xyz' + 'Q9w8E7';
const SECRET = 'kwss_' + 'Z'.repeat(43);

function request(overrides: Partial<SavedRequest> = {}): SavedRequest {
  return {
    id: 'r1',
    name: 'List my keys',
    method: 'GET',
    path: '/v1/keys',
    params: { 'query:limit': '10' },
    body: '',
    savedAt: '2026-11-23T10:00:00.000Z',
    ...overrides,
  };
}

class MemoryStorage {
  data = new Map<string, string>();
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, v);
  }
}

describe('secrets never saved', () => {
  it('removes keys and shared secrets from any text', () => {
    expect(redactText(`a ${KEY} b ${SECRET}`)).toEqual({ text: `a ${REMOVED} b ${REMOVED}`, removed: 2 });
    expect(redactText('no secret, kw_short, start kw_AbCdEfG')).toEqual({ text: 'no secret, kw_short, start kw_AbCdEfG', removed: 0 });
  });

  it('removes the value of credential-named JSON fields, whatever it looks like', () => {
    const body = JSON.stringify({ apiKey: 'central-issued-thing', nested: { key: 'abc', keep: 'x' }, list: [{ password: 'p' }] });
    const r = redactBody(body);
    expect(r.removed).toBe(3);
    expect(JSON.parse(r.body)).toEqual({ apiKey: REMOVED, nested: { key: REMOVED, keep: 'x' }, list: [{ password: REMOVED }] });
  });

  it('leaves a body without secrets exactly as typed', () => {
    const body = '{"name":"x",   "key": ""}';
    expect(redactBody(body)).toEqual({ body, removed: 0 });
    expect(redactBody('not json')).toEqual({ body: 'not json', removed: 0 });
  });

  it('takes a key out of a body that is not JSON', () => {
    expect(redactBody(`{"key": "${KEY}",}`)).toEqual({ body: `{"key": "${REMOVED}",}`, removed: 1 });
  });

  it('sanitizes every field of a request and counts what it removed', () => {
    const { request: clean, removed } = sanitizeForSaving(
      request({ name: `verify ${KEY}`, params: { 'query:q': KEY }, body: JSON.stringify({ key: KEY, permissions: ['keys:read'] }) }),
    );
    expect(removed).toBe(3);
    expect(JSON.stringify(clean)).not.toMatch(/kw_/);
    expect(JSON.parse(clean.body)).toEqual({ key: REMOVED, permissions: ['keys:read'] });
  });

  it('writes nothing key-like to storage, even when handed a request that was not sanitized', () => {
    const storage = new MemoryStorage();
    writeSaved(storage, [request({ body: `{"key":"${KEY}"}` })]);
    const stored = storage.getItem(SAVED_REQUESTS_STORAGE) ?? '';
    expect(stored).not.toContain('kw_');
    expect(stored).toContain('List my keys');
  });
});

describe('the saved list', () => {
  it('reads back what was written', () => {
    const storage = new MemoryStorage();
    writeSaved(storage, [request()]);
    expect(readSaved(storage)).toEqual([request()]);
  });

  it('skips broken or foreign entries and broken storage', () => {
    expect(parseSaved(null)).toEqual([]);
    expect(parseSaved('not json')).toEqual([]);
    expect(parseSaved('{"a":1}')).toEqual([]);
    expect(parseSaved(JSON.stringify([request(), { id: 'x' }, null, request({ id: 'r2', params: { a: 1 } as never })]))).toEqual([request()]);
    expect(
      readSaved({
        getItem: () => {
          throw new Error('SecurityError');
        },
      }),
    ).toEqual([]);
  });

  it('puts the newest first and replaces one of the same name', () => {
    const a = request({ id: 'a', name: 'A' });
    const b = request({ id: 'b', name: 'B' });
    const a2 = request({ id: 'a2', name: 'A', path: '/v1/me' });
    expect(withSaved([a], b)).toEqual({ list: [b, a], replaced: false });
    expect(withSaved([b, a], a2)).toEqual({ list: [a2, b], replaced: true });
  });

  it('keeps at most MAX_SAVED_REQUESTS', () => {
    const many = Array.from({ length: MAX_SAVED_REQUESTS }, (_, i) => request({ id: String(i), name: `n${i}` }));
    const { list } = withSaved(many, request({ id: 'new', name: 'new' }));
    expect(list).toHaveLength(MAX_SAVED_REQUESTS);
    expect(list[0].id).toBe('new');
    expect(list.some((r) => r.id === String(MAX_SAVED_REQUESTS - 1))).toBe(false);
  });

  it('deletes by id', () => {
    expect(withoutSaved([request({ id: 'a' }), request({ id: 'b' })], 'a').map((r) => r.id)).toEqual(['b']);
  });
});
