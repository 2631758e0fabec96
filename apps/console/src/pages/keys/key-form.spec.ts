import type { ApiKey } from '../../api/types';
import { isoToLocalInput } from '../../format';
import { EMPTY_KEY_FORM, createKeyBody, formFromKey, updateKeyBody } from './key-form';

const NOW = Date.parse('2026-11-23T12:00:00Z');

const KEY: ApiKey = {
  id: '7d0c4a52-6a1e-4a63-9d0e-0f5c2f6b8a11',
  name: 'billing',
  description: null,
  start: 'kw_AbCdEfG',
  type: 'standard',
  permissions: ['keys:read', 'audit:read'],
  roles: [],
  meta: {},
  externalId: null,
  ownerId: 'a6f9b6a4-31b8-4f3e-9b8e-2f1d7c0e5a22',
  companyId: 'c1b2d3e4-0000-4000-8000-000000000001',
  status: 'active',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  expiresAt: '2027-01-01T10:30:00.000Z',
  revokedAt: null,
  lastUsedAt: null,
  allowedIps: ['203.0.113.0/24'],
  rateLimit: { limit: 100, windowSeconds: 60 },
  rotatedFrom: null,
  replacedBy: null,
  graceEndsAt: null,
};

describe('createKeyBody', () => {
  it('sends only what was filled, trimmed, with lists split', () => {
    const result = createKeyBody(
      {
        ...EMPTY_KEY_FORM,
        name: '  billing  ',
        description: ' nightly export ',
        permissions: ['keys:read'],
        expiresAt: isoToLocalInput('2027-02-01T09:00:00Z'),
        allowedIps: '203.0.113.7, 2001:db8::/32\n10.0.0.0/8',
        rateLimit: '500',
        rateWindowSeconds: '60',
        ownerId: KEY.ownerId,
      },
      NOW,
    );
    expect(result).toEqual({
      body: {
        name: 'billing',
        type: 'standard',
        description: 'nightly export',
        permissions: ['keys:read'],
        expiresAt: '2027-02-01T09:00:00.000Z',
        allowedIps: ['203.0.113.7', '2001:db8::/32', '10.0.0.0/8'],
        rateLimit: { limit: 500, windowSeconds: 60 },
        ownerId: KEY.ownerId,
      },
    });
  });

  it('leaves out the permissions of an administration key (it has its owner’s)', () => {
    expect(createKeyBody({ ...EMPTY_KEY_FORM, name: 'ops', type: 'administration' }, NOW)).toEqual({ body: { name: 'ops', type: 'administration' } });
  });

  it('names every field it can already tell is wrong, and sends nothing', () => {
    const result = createKeyBody(
      { ...EMPTY_KEY_FORM, name: ' ', description: 'x'.repeat(501), expiresAt: isoToLocalInput('2026-11-01T00:00:00Z'), rateLimit: '0', rateWindowSeconds: '1.5' },
      NOW,
    );
    expect(result).toEqual({
      errors: {
        name: 'is required',
        description: 'must be at most 500 characters',
        permissions: 'choose at least one permission, or a role preset',
        expiresAt: 'must be in the future',
        'rateLimit.limit': 'must be a whole number of requests, at least 1',
        'rateLimit.windowSeconds': 'must be a whole number of seconds, at least 1',
      },
    });
  });
});

describe('updateKeyBody', () => {
  const form = formFromKey(KEY, isoToLocalInput);

  it('sends nothing when nothing changed (the minute-precision expiry field does not move the instant)', () => {
    expect(updateKeyBody({ ...KEY, expiresAt: '2027-01-01T10:30:42.123Z' }, form, NOW)).toEqual({ body: {} });
  });

  it('sends only the changed fields; empty rate limit and expiry clear them', () => {
    expect(updateKeyBody(KEY, { ...form, name: 'billing-v2', rateLimit: '', expiresAt: '', allowedIps: '' }, NOW)).toEqual({
      body: { name: 'billing-v2', rateLimit: null, expiresAt: null, allowedIps: [] },
    });
    expect(updateKeyBody(KEY, { ...form, permissions: ['audit:read', 'keys:read'] }, NOW)).toEqual({ body: {} });
    expect(updateKeyBody(KEY, { ...form, permissions: ['keys:read'] }, NOW)).toEqual({ body: { permissions: ['keys:read'] } });
  });

  it('refuses an empty name, no permissions and a past expiry', () => {
    expect(updateKeyBody(KEY, { ...form, name: '', permissions: [], expiresAt: isoToLocalInput('2026-01-01T00:00:00Z') }, NOW)).toEqual({
      errors: { name: 'is required', permissions: 'choose at least one permission, or a role preset', expiresAt: 'must be in the future' },
    });
  });
});
