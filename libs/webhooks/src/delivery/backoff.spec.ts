import { retryDelayMs } from './backoff';

describe('retry delays', () => {
  const noJitter = () => 0.5;
  it('doubles from one second and stops growing at the maximum, retrying for as long as it takes', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 600, noJitter))).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect(retryDelayMs(11, 600, noJitter)).toBe(600_000);
    expect(retryDelayMs(10_000, 600, noJitter)).toBe(600_000);
  });
  it('spreads attempts by ±10 % without passing the maximum', () => {
    expect(retryDelayMs(3, 600, () => 0)).toBe(3600);
    expect(retryDelayMs(3, 600, () => 1)).toBe(4400);
    expect(retryDelayMs(30, 60, () => 1)).toBe(60_000);
  });
});
