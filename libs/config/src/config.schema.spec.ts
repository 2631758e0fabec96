import { ConfigError, loadConfig, redisVariables } from './config.schema';

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
    ])('accepts %p as the trustProxy (proxy-addr) list %p', (value, expected) => {
      expect(loadConfig({ ...valid, TRUST_PROXY: value }).trustProxy).toBe(expected);
    });
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  const { REDIS_URL: _single, ...withoutRedis } = valid;
  const refusal = (env: NodeJS.ProcessEnv) => {
    try {
      loadConfig({ ...withoutRedis, ...env });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error(`${JSON.stringify(env)} was accepted`);
  };

  it('names a Redis Cluster instead of REDIS_URL: host:port seed nodes, the key prefix a hash tag', () => {
    const c = loadConfig({ ...withoutRedis, REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-2.internal:7001,[fd00::3]:7002' });
    expect(c.redis).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: 'redis-2.internal', port: 7001 },
        { host: 'fd00::3', port: 7002 },
      ],
      username: undefined,
      password: undefined,
      tls: false,
    });
    expect(c.redisPrefix).toBe('{keyward}');
    expect(loadConfig({ ...withoutRedis, REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_PREFIX: 'acme:kw' }).redisPrefix).toBe('{acme:kw}');
    // a prefix that already is one hash tag is kept as it is
    expect(loadConfig({ ...withoutRedis, REDIS_CLUSTER_NODES: '10.0.0.1:7000', REDIS_PREFIX: '{acme}' }).redisPrefix).toBe('{acme}');
  });

  it('keeps one server as it was: REDIS_URL, the prefix unchanged (no key moves on upgrade)', () => {
    const c = loadConfig(valid);
    expect(c.redis).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
    expect(c.redisPrefix).toBe('keyward');
  });

  it('takes credentials and TLS from redis:// and rediss:// entries', () => {
    const c = loadConfig({ ...withoutRedis, REDIS_CLUSTER_NODES: 'rediss://kw:p%40ss@10.0.0.1:7000,rediss://kw:p%40ss@10.0.0.2:7000' });
    expect(c.redis).toMatchObject({ kind: 'cluster', username: 'kw', password: 'p@ss', tls: true });
  });

  it.each([
    ['10.0.0.1', /REDIS_CLUSTER_NODES: .*has no port/],
    ['10.0.0.1:7000,', /REDIS_CLUSTER_NODES: .*an entry is empty/],
    ['10.0.0.1:99999', /REDIS_CLUSTER_NODES: "10.0.0.1:99999" is not host:port/],
    ['http://10.0.0.1:7000', /REDIS_CLUSTER_NODES: .*must be host:port or a redis:\/\/ or rediss:\/\/ URL/],
    ['redis://10.0.0.1:7000/2', /REDIS_CLUSTER_NODES: .*no database number/],
    ['rediss://10.0.0.1:7000,redis://10.0.0.2:7000', /REDIS_CLUSTER_NODES: mixes redis:\/\/ and rediss:\/\//],
    ['redis://a:one@10.0.0.1:7000,redis://a:two@10.0.0.2:7000', /REDIS_CLUSTER_NODES: the entries give different credentials/],
  ])('refuses %p, naming the variable', (value, message) => {
    expect(refusal({ REDIS_CLUSTER_NODES: value })).toMatch(message);
  });

  it('never prints a password from an entry', () => {
    const msg = refusal({ REDIS_CLUSTER_NODES: 'redis://kw:s3cret-value@10.0.0.1' });
    expect(msg).toMatch(/REDIS_CLUSTER_NODES: "redis:\/\/kw:\*\*\*@10.0.0.1" has no port/);
    expect(msg).not.toContain('s3cret-value');
    expect(refusal({ REDIS_CLUSTER_NODES: 'redis://kw:a@10.0.0.1:1,redis://kw:s3cret-value@10.0.0.2:1' })).not.toContain('s3cret-value');
  });

  it('refuses REDIS_URL and REDIS_CLUSTER_NODES together, and neither, naming them', () => {
    expect(refusal({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '10.0.0.1:7000' })).toMatch(
      /REDIS_CLUSTER_NODES: set together with REDIS_URL; name one Redis/,
    );
    expect(refusal({})).toMatch(/REDIS_URL: is required \(or REDIS_CLUSTER_NODES, for a Redis Cluster\)/);
    // reported with every other problem at once
    expect(refusal({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '10.0.0.1:7000', PORT: '-1' })).toMatch(/PORT:[^]*REDIS_CLUSTER_NODES:/);
  });

  it('refuses a REDIS_PREFIX with braces inside it, naming it', () => {
    expect(refusal({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: 'a{b}c' })).toMatch(/REDIS_PREFIX: must be/);
  });

  it('gives a child process the same Redis back (redisVariables)', () => {
    for (const REDIS_CLUSTER_NODES of ['10.0.0.1:7000,[fd00::3]:7002', 'rediss://kw:p%40ss@10.0.0.1:7000']) {
      const c = loadConfig({ ...withoutRedis, REDIS_CLUSTER_NODES });
      expect(loadConfig({ ...withoutRedis, ...redisVariables(c.redis) }).redis).toEqual(c.redis);
    }
    expect(redisVariables(loadConfig(valid).redis)).toEqual({ REDIS_URL: 'redis://127.0.0.1:6379' });
  });
});

describe('AUDIT_ARCHIVE_AFTER_DAYS and AUDIT_ARCHIVE_DIR', () => {
  const signed = { AUDIT_SIGNING_KEY: Buffer.alloc(32, 7).toString('base64') };

  it('give the worker its archive schedule together, and none when both are unset', () => {
    expect(loadConfig(valid).audit.archive).toBeNull();
    expect(loadConfig({ ...valid, ...signed, AUDIT_ARCHIVE_AFTER_DAYS: '90', AUDIT_ARCHIVE_DIR: '/var/lib/keyward/archive' }).audit.archive).toEqual({
      afterDays: 90,
      dir: '/var/lib/keyward/archive',
    });
  });

  it('refuses one without the other, and a day count out of range, naming the variable', () => {
    expect(() => loadConfig({ ...valid, AUDIT_ARCHIVE_AFTER_DAYS: '90' })).toThrow(/AUDIT_ARCHIVE_DIR: is required when AUDIT_ARCHIVE_AFTER_DAYS is set/);
    expect(() => loadConfig({ ...valid, AUDIT_ARCHIVE_DIR: '/archive' })).toThrow(/AUDIT_ARCHIVE_AFTER_DAYS: is required when AUDIT_ARCHIVE_DIR is set/);
    expect(() => loadConfig({ ...valid, ...signed, AUDIT_ARCHIVE_AFTER_DAYS: '0', AUDIT_ARCHIVE_DIR: '/archive' })).toThrow(/AUDIT_ARCHIVE_AFTER_DAYS/);
    expect(() => loadConfig({ ...valid, ...signed, AUDIT_ARCHIVE_AFTER_DAYS: 'soon', AUDIT_ARCHIVE_DIR: '/archive' })).toThrow(/AUDIT_ARCHIVE_AFTER_DAYS/);
  });

  it('refuses the schedule without AUDIT_SIGNING_KEY, which signs each segment\'s seal', () => {
    const { AUDIT_SIGNING_KEY: _none, ...unsigned } = { ...valid, AUDIT_ARCHIVE_AFTER_DAYS: '90', AUDIT_ARCHIVE_DIR: '/archive' } as Record<string, string>;
    expect(() => loadConfig(unsigned)).toThrow(/AUDIT_SIGNING_KEY: is required when AUDIT_ARCHIVE_DIR is set/);
  });
});
