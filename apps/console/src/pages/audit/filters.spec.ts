import { toQueryString } from '../../api/client';
import {
  DEFAULT_PAGE_SIZE,
  NO_FILTERS,
  describeFilters,
  fromDraft,
  hasFilters,
  isoToLocalSeconds,
  readFilters,
  toApiFilter,
  toDraft,
  writeFilters,
  type AuditFilters,
} from './filters';

const KEY = '8a662044-8aa6-4008-b0af-42dd0ed9eb4f';

describe('audit filters in the page URL', () => {
  it('reads types in the canonical order, dropping unknown ones', () => {
    const f = readFilters(new URLSearchParams('type=KeyRevoked,Bogus,KeyCreated'));
    expect(f.types).toEqual(['KeyCreated', 'KeyRevoked']);
  });

  it('drops unreadable instants and page sizes it does not offer', () => {
    const f = readFilters(new URLSearchParams('from=yesterday&to=2030-01-01T00:00:00Z&limit=7'));
    expect(f.from).toBe('');
    expect(f.to).toBe('2030-01-01T00:00:00.000Z');
    expect(f.limit).toBe(DEFAULT_PAGE_SIZE);
    expect(readFilters(new URLSearchParams('limit=10')).limit).toBe(10);
  });

  it('round-trips through the query string and keeps parameters that are not filters', () => {
    const filters: AuditFilters = { ...NO_FILTERS, types: ['KeyCreated', 'KeyRevoked'], keyId: KEY, from: '2030-01-01T00:00:00.000Z', limit: 10 };
    const params = writeFilters(filters, new URLSearchParams(`history=${KEY}&keyId=old`));
    expect(params.get('history')).toBe(KEY);
    expect(params.get('keyId')).toBe(KEY);
    expect(params.get('type')).toBe('KeyCreated,KeyRevoked');
    expect(readFilters(params)).toEqual(filters);
  });

  it('leaves the default page size and empty filters out of the URL', () => {
    expect(writeFilters(NO_FILTERS).toString()).toBe('');
    // newest first is the default view and is not written; log order is
    expect(readFilters(new URLSearchParams('')).order).toBe('desc');
    expect(readFilters(new URLSearchParams('order=asc')).order).toBe('asc');
    expect(readFilters(new URLSearchParams('order=sideways')).order).toBe('desc');
    expect(writeFilters({ ...NO_FILTERS, order: 'asc' }).toString()).toBe('order=asc');
    expect(toApiFilter({ ...NO_FILTERS, order: 'asc' })).not.toHaveProperty('order'); // exports stay in log order
  });

  it('sends the same filters the table shows, lists comma-separated', () => {
    const q = toQueryString(toApiFilter({ ...NO_FILTERS, types: ['KeyCreated', 'KeyRevoked'], actorId: 'bootstrap' }));
    expect(q).toBe('?type=KeyCreated%2CKeyRevoked&actorId=bootstrap');
    expect(hasFilters(NO_FILTERS)).toBe(false);
    expect(hasFilters({ ...NO_FILTERS, ip: '127.0.0.1' })).toBe(true);
    expect(hasFilters({ ...NO_FILTERS, limit: 10 })).toBe(false);
  });
});

describe('the filter form', () => {
  const draft = toDraft(NO_FILTERS);

  it('refuses a key ID that is not a UUID and a request ID with odd characters', () => {
    const { errors } = fromDraft({ ...draft, keyId: 'kw_abc', requestId: 'a b' });
    expect(errors.keyId).toMatch(/UUID/);
    expect(errors.requestId).toBeDefined();
  });

  it('refuses a pasted API key or shared secret in any ID field, so it never reaches the URL', () => {
    const key = 'kw_' + 'A'.repeat(49);
    const { errors } = fromDraft({ ...draft, keyId: key, actorId: key, requestId: 'kwss_' + 'b'.repeat(43) });
    expect(errors.keyId).toMatch(/looks like a key/);
    expect(errors.actorId).toMatch(/looks like a key/);
    expect(errors.requestId).toMatch(/looks like a key/);
    expect(fromDraft({ ...draft, actorId: 'bootstrap' }).errors).toEqual({});
  });

  it('accepts IPv4 and IPv6 addresses only', () => {
    expect(fromDraft({ ...draft, ip: '203.0.113.7' }).errors.ip).toBeUndefined();
    expect(fromDraft({ ...draft, ip: '2001:db8::1' }).errors.ip).toBeUndefined();
    expect(fromDraft({ ...draft, ip: '300.1.1.1' }).errors.ip).toBeDefined();
    expect(fromDraft({ ...draft, ip: 'localhost' }).errors.ip).toBeDefined();
  });

  it('wants To later than From', () => {
    expect(fromDraft({ ...draft, from: '2030-01-02T00:00:00', to: '2030-01-01T00:00:00' }).errors.to).toMatch(/later/);
    expect(fromDraft({ ...draft, from: '2030-01-01T00:00:00', to: '2030-01-02T00:00:00' }).errors).toEqual({});
  });

  it('turns local times into ISO instants and back, to the second', () => {
    const { filters, errors } = fromDraft({ ...draft, keyId: ` ${KEY.toUpperCase()} `, from: '2030-01-01T10:20:30' });
    expect(errors).toEqual({});
    expect(filters.keyId).toBe(KEY);
    expect(filters.from).toBe(new Date(2030, 0, 1, 10, 20, 30).toISOString());
    expect(toDraft(filters).from).toBe('2030-01-01T10:20:30');
    expect(isoToLocalSeconds('not a date')).toBe('');
  });

  it('says in words what the table holds', () => {
    expect(describeFilters(NO_FILTERS)).toBe('Events of every type');
    expect(describeFilters({ ...NO_FILTERS, types: ['KeyRevoked'], keyId: KEY })).toBe(`KeyRevoked events concerning key ${KEY}`);
  });
});
