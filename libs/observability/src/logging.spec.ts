import { redactKeysInText } from './logging';

describe('redactKeysInText', () => {
  it('replaces keys and shared secrets anywhere in a logged URL, even cut short', () => {
    const key = `kw_${'A1b2C3d4'.repeat(6)}x`;
    const secret = `kwss_${'Zz9-_'.repeat(8)}abc`;
    expect(redactKeysInText(`/v1/keys?q=${key}&limit=50`)).toBe('/v1/keys?q=kw_[redacted]&limit=50');
    expect(redactKeysInText(`/v1/keys?q=${key.slice(0, 20)}`)).toBe('/v1/keys?q=kw_[redacted]');
    expect(redactKeysInText(`/x?a=${secret}&b=${key}`)).toBe('/x?a=kwss_[redacted]&b=kw_[redacted]');
  });

  it('leaves ordinary URLs alone', () => {
    expect(redactKeysInText('/v1/keys?q=kw_&status=active')).toBe('/v1/keys?q=kw_&status=active');
    expect(redactKeysInText('/v1/audit-events?type=KeyCreated')).toBe('/v1/audit-events?type=KeyCreated');
  });
});
