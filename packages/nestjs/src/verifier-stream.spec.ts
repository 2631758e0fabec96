import { KeywardClient } from './client';
import { resolveKey } from './resolved-key';
import { KeyCache, KeyRecord } from './key-cache';
import { VerifierStream } from './verifier-stream';
import { FakeKeyward, until } from './fake-keyward.spec-helper';

const record = (keyId: string): KeyRecord => ({
  keyId,
  ownerId: 'o1',
  companyId: 'c1',
  name: keyId,
  permissions: [],
  roles: [],
  meta: {},
  externalId: null,
  expiresAt: null,
  allowedIps: null,
  rateLimit: null,
});

describe('VerifierStream against a fake Keyward', () => {
  let keyward: FakeKeyward;
  let now = 0;
  let cache: KeyCache;
  let stream: VerifierStream;
  const warnings: string[] = [];

  beforeEach(async () => {
    keyward = await new FakeKeyward().start();
    now = 0;
    cache = new KeyCache(() => now);
    const client = new KeywardClient({ url: keyward.url, apiKey: 'kw_service', timeoutMs: 2_000 });
    stream = new VerifierStream(client, cache, { warn: (m) => warnings.push(m) }, { now: () => now, minBackoffMs: 10, maxBackoffMs: 20 });
    stream.start();
    await until(() => keyward.streams.length === 1, 'the stream to open');
  });

  afterEach(async () => {
    await stream.stop();
    await keyward.stop();
  });

  const hello = async (id = 'v1', head = 10) => {
    keyward.send('hello', { verifierId: id, leaseMs: 10_000, head });
    await until(() => keyward.of(`/v1/verifiers/${id}/ack`).length > 0, 'the first ack');
  };

  it('hello starts the lease; a change is applied to the cache before it is acknowledged', async () => {
    expect(cache.trusted()).toBe(false);
    await hello();
    expect(cache.trusted()).toBe(true);
    expect(keyward.of('/v1/verifiers/v1/ack')[0].body).toEqual({ seq: 10 });
    cache.put('h1', resolveKey(record('k1')), cache.mark());
    cache.put('h2', resolveKey(record('k2')), cache.mark());
    let cachedWhenAcked: boolean | undefined;
    const acks = keyward.of('/v1/verifiers/v1/ack').length;
    keyward.send('change', { seq: 11, keyIds: ['k1'], ownerIds: [], wholeCompany: false });
    await until(() => keyward.of('/v1/verifiers/v1/ack').some((r) => r.body.seq === 11), 'the ack of seq 11');
    cachedWhenAcked = cache.get('h1') !== undefined;
    expect(cachedWhenAcked).toBe(false);
    expect(cache.get('h2')?.record.keyId).toBe('k2');
    expect(keyward.of('/v1/verifiers/v1/ack').length).toBeGreaterThan(acks);
  });

  it('a head is acknowledged with its seq, renewing the trust from when the ack was sent', async () => {
    await hello();
    now = 5_000;
    keyward.send('head', { seq: 42 });
    await until(() => keyward.of('/v1/verifiers/v1/ack').some((r) => r.body.seq === 42), 'the ack of the head');
    await until(() => cache.trustedUntilMs === 5_000 + 10_000 - 2_000, 'the renewed trust');
  });

  it('a lapsed lease (410 on ack) empties the cache and reconnects', async () => {
    await hello();
    cache.put('h1', resolveKey(record('k1')), cache.mark());
    keyward.ackStatus = 410;
    keyward.send('head', { seq: 11 });
    await until(() => keyward.streams.length === 2, 'a second stream');
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.trusted()).toBe(false);
  });

  it('a stream that ends empties the cache at once and reconnects; the new lease starts empty', async () => {
    await hello();
    cache.put('h1', resolveKey(record('k1')), cache.mark());
    keyward.endStreams();
    await until(() => keyward.streams.length === 1, 'a new stream');
    expect(cache.get('h1')).toBeUndefined();
    await hello('v2', 20);
    expect(cache.trusted()).toBe(true);
    expect(cache.size).toBe(0);
    // the emptied cache's lease is given back, so Keyward's changes stop waiting for it
    await until(() => keyward.requests.some((r) => r.method === 'DELETE'), 'the old lease given back');
    expect(keyward.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual(["/v1/verifiers/v1"]);
  });

  it('acks failing (Keyward unreachable): the cache answers until the lease margin, then empties itself', async () => {
    await hello();
    cache.put('h1', resolveKey(record('k1')), cache.mark());
    keyward.ackStatus = 503;
    now = 7_999;
    expect(cache.get('h1')?.record.keyId).toBe('k1');
    now = 8_000; // 0 + 10 000 − 2 000
    expect(cache.get('h1')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});
