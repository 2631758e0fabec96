import { WakeUps } from './wake-ups';

/** A wake that stays pending until released, like an enqueue to a Redis that does not answer. */
function slowWake() {
  const calls: string[] = [];
  const pending: (() => void)[] = [];
  const wake = (id: string) => {
    calls.push(id);
    return new Promise<void>((resolve) => pending.push(resolve));
  };
  const release = () => pending.splice(0).forEach((r) => r());
  return { calls, wake, release };
}

describe('WakeUps', () => {
  it('returns at once and sends every webhook of a round together, without waiting for the first', () => {
    const w = slowWake();
    const wakeUps = new WakeUps(w.wake);
    wakeUps.request(['a', 'b', 'c']);
    expect(w.calls).toEqual(['a', 'b', 'c']);
  });

  it('coalesces what is asked while a round is under way into one next round, each webhook once', async () => {
    const w = slowWake();
    const wakeUps = new WakeUps(w.wake);
    wakeUps.request(['a']);
    wakeUps.request(['b', 'c']);
    wakeUps.request(['c', 'b']);
    expect(w.calls).toEqual(['a']);
    w.release();
    await new Promise((r) => setImmediate(r));
    expect(w.calls).toEqual(['a', 'b', 'c']);
    w.release();
    await wakeUps.settled();
    expect(w.calls).toEqual(['a', 'b', 'c']);
  });

  it('goes on after a wake that failed', async () => {
    const calls: string[] = [];
    const wakeUps = new WakeUps(async (id) => {
      calls.push(id);
      if (id === 'a') throw new Error('Redis is away');
    });
    wakeUps.request(['a']);
    wakeUps.request(['b']);
    await wakeUps.settled();
    expect(calls).toEqual(['a', 'b']);
  });
});
