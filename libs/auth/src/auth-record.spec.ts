import { allowedIpWithin } from './auth-record';

describe('allowedIpWithin', () => {
  it('admits an address or a narrower network inside one of the networks', () => {
    expect(allowedIpWithin('10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(allowedIpWithin('10.1.2.0/24', ['192.0.2.0/24', '10.0.0.0/8'])).toBe(true);
    expect(allowedIpWithin('10.0.0.0/8', ['10.0.0.0/8'])).toBe(true);
    expect(allowedIpWithin('203.0.113.7', ['203.0.113.7'])).toBe(true);
    expect(allowedIpWithin('2001:db8:1::/48', ['2001:db8::/32'])).toBe(true);
    expect(allowedIpWithin('::1', ['::1'])).toBe(true);
  });

  it('refuses a wider network, another family, another network and anything unparseable', () => {
    expect(allowedIpWithin('10.0.0.0/8', ['10.1.2.0/24'])).toBe(false);
    expect(allowedIpWithin('0.0.0.0/0', ['10.0.0.0/8'])).toBe(false);
    expect(allowedIpWithin('2001:db8::1', ['10.0.0.0/8'])).toBe(false);
    expect(allowedIpWithin('192.0.2.1', ['10.0.0.0/8'])).toBe(false);
    expect(allowedIpWithin('10.1', ['10.0.0.0/8'])).toBe(false);
    expect(allowedIpWithin('10.1.2.3', [])).toBe(false);
    expect(allowedIpWithin('10.1.2.3', ['not-a-network'])).toBe(false);
  });
});
