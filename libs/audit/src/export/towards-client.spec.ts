import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExportStopped, towardsClient } from './towards-client';

/** A client that takes `accept` chunks, then stops reading (its callbacks never come). */
function client(accept: number): Writable & { received: string[] } {
  const received: string[] = [];
  const sink = new Writable({
    highWaterMark: 1,
    write(chunk, _enc, done) {
      received.push(String(chunk));
      if (received.length <= accept) done();
    },
  });
  return Object.assign(sink, { received });
}

const rows = (n: number) => Readable.from(Array.from({ length: n }, (_, i) => `row ${i}\n`));

describe('towardsClient', () => {
  it('forwards everything to a client that reads, and leaves ending it to the caller', async () => {
    const sink = client(Infinity);
    await pipeline(rows(5), towardsClient(sink, 50));
    expect(sink.received).toHaveLength(5);
    expect(sink.writableEnded).toBe(false);
  });

  it('fails with idle_timeout when the client accepts nothing for the idle timeout', async () => {
    const sink = client(2);
    const stopped = await pipeline(rows(100), towardsClient(sink, 20)).catch((e) => e);
    expect(stopped).toBeInstanceOf(ExportStopped);
    expect(stopped.stop).toBe('idle_timeout');
    expect(sink.received.length).toBeLessThan(100);
  });

  it('fails with client_gone when the client goes away, waiting or not', async () => {
    const waiting = client(2);
    const copy = pipeline(rows(100), towardsClient(waiting, 60_000)).catch((e) => e);
    await new Promise((r) => setImmediate(r));
    waiting.destroy();
    expect((await copy).stop).toBe('client_gone');

    const gone = client(Infinity);
    gone.destroy();
    expect((await pipeline(rows(3), towardsClient(gone, 60_000)).catch((e) => e)).stop).toBe('client_gone');
  });
});
