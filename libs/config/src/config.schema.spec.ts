import { ConfigError, loadConfig } from './config.schema';

const valid = {
  DATABASE_URL: 'postgres://u@127.0.0.1:5432/keyward',
  REDIS_URL: 'redis://127.0.0.1:6379',
  KEYWARD_PEPPER: 'x'.repeat(32),
};

describe('loadConfig', () => {
  it('fills defaults from a minimal environment', () => {
    const c = loadConfig(valid);
    expect(c.port).toBe(3000);
    expect(c.keys.maxExpiryDays).toBe(365);
    expect(c.redisPrefix).toBe('keyward');
  });

  it('names every missing or bad variable at once', () => {
    expect(() => loadConfig({ REDIS_URL: 'nope', PORT: '-1' })).toThrow(ConfigError);
    try {
      loadConfig({ REDIS_URL: 'nope', PORT: '-1' });
    } catch (e) {
      const msg = (e as Error).message;
      expect(msg).toMatch(/DATABASE_URL: is required/);
      expect(msg).toMatch(/KEYWARD_PEPPER: is required/);
      expect(msg).toMatch(/REDIS_URL:/);
      expect(msg).toMatch(/PORT:/);
    }
  });

  it('never prints the pepper value', () => {
    expect(() => loadConfig({ ...valid, KEYWARD_PEPPER: 'short-secret' })).toThrow(/KEYWARD_PEPPER: must be at least 32/);
    try {
      loadConfig({ ...valid, KEYWARD_PEPPER: 'short-secret' });
    } catch (e) {
      expect((e as Error).message).not.toContain('short-secret');
    }
  });

  describe('TRUST_PROXY', () => {
    const refusal = (value: string) => {
      try {
        loadConfig({ ...valid, TRUST_PROXY: value });
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error(`TRUST_PROXY=${value} was accepted`);
    };

    it.each(['true', 'TRUE', ' true ', 'yes', '*'])('refuses %p (every hop trusted: any client could spoof X-Forwarded-For), naming the variable and the safer values', (value) => {
      const msg = refusal(value);
      expect(msg).toMatch(/TRUST_PROXY: .*would trust every hop/);
      expect(msg).toContain('X-Forwarded-For');
      expect(msg).toMatch(/a hop count such as 1/);
      expect(msg).toMatch(/addresses or CIDRs of your proxies/);
      expect(msg).toMatch(/loopback/);
    });

    it.each(['0.0.0.0/0', '::/0', '10.0.0.1, 0.0.0.0/0', '0.0.0.0/0.0.0.0'])('refuses %p: a CIDR of every address is the same as true', (value) => {
      expect(refusal(value)).toMatch(/TRUST_PROXY: ".*" is every address.*a hop count such as 1/);
    });

    it.each(['10.0.0.300', 'proxy.internal', '10.0.0.0/33', 'loopback,nonsense', ''])('refuses %p, naming the bad entry', (value) => {
      expect(refusal(value)).toMatch(/TRUST_PROXY: .*(is not an address|no valid prefix length)/);
    });

    it.each([
      [undefined, false],
      ['false', false],
      ['0', 0],
      ['1', 1],
      ['2', 2],
      ['loopback', 'loopback'],
      ['10.0.0.5', '10.0.0.5'],
      ['10.0.0.0/8, 192.168.1.1', '10.0.0.0/8,192.168.1.1'],
      ['loopback, fd00::/8', 'loopback,fd00::/8'],
      ['linklocal,uniquelocal', 'linklocal,uniquelocal'],
      ['10.0.0.0/255.0.0.0', '10.0.0.0/255.0.0.0'],
    ])('accepts %p as Express "trust proxy" %p', (value, expected) => {
      expect(loadConfig({ ...valid, TRUST_PROXY: value }).trustProxy).toBe(expected);
    });
  });
});
