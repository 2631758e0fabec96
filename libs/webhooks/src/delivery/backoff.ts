/**
 * Delay before the next attempt after `failures` consecutive failed attempts: 1 s, 2 s, 4 s, …
 * doubling up to `maxSeconds`, with ±10 % jitter so receivers coming back are not hit by every
 * webhook at the same instant. Retries never stop: the events wait in the log.
 */
export function retryDelayMs(failures: number, maxSeconds: number, random: () => number = Math.random): number {
  const base = Math.min(2 ** Math.max(0, failures - 1), maxSeconds) * 1000;
  const jittered = base * (0.9 + 0.2 * random());
  return Math.round(Math.min(jittered, maxSeconds * 1000));
}
