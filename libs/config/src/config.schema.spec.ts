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
});
