import { ServerExit } from '@keyward/embedded';
import { RestartLimits, RestartPolicy, Supervised, SupervisedProcess } from './supervisor';

describe('RestartPolicy', () => {
  const limits: RestartLimits = { maxCrashes: 5, windowMs: 60_000, firstDelayMs: 500, maxDelayMs: 3_000 };

  it('doubles the wait with each crash within the window, up to the cap, and gives up at the fifth', () => {
    let now = 0;
    const policy = new RestartPolicy(limits, () => now);
    const seen = [];
    for (let i = 0; i < 5; i++) {
      seen.push(policy.crashed());
      now += 1_000;
    }
    expect(seen).toEqual([
      { crashes: 1, delayMs: 500 },
      { crashes: 2, delayMs: 1_000 },
      { crashes: 3, delayMs: 2_000 },
      { crashes: 4, delayMs: 3_000 },
      { crashes: 5, delayMs: null },
    ]);
  });

  it('forgets crashes older than the window', () => {
    let now = 0;
    const policy = new RestartPolicy(limits, () => now);
    for (let i = 0; i < 4; i++) policy.crashed();
    now = 60_000;
    expect(policy.crashed()).toEqual({ crashes: 1, delayMs: 500 });
  });
});

/** A process that exits when the test says so. */
class FakeProcess implements SupervisedProcess {
  private static nextPid = 4_000_000; // above any real pid: the orphan check finds nothing
  readonly pid = FakeProcess.nextPid++;
  stopped = false;
  private end!: (exit: ServerExit) => void;
  readonly exited = new Promise<ServerExit>((resolve) => (this.end = resolve));

  crash(): void {
    this.end({ code: null, signal: 'SIGKILL' });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.end({ code: 0, signal: null });
  }
}

function harness(limits: Partial<RestartLimits> = {}, launch?: () => Promise<FakeProcess>) {
  const launched: FakeProcess[] = [];
  const lines: string[] = [];
  const reasons: string[] = [];
  const restarted: number[] = [];
  const supervised = new Supervised<FakeProcess>(
    {
      name: 'worker',
      commandIncludes: 'never-matches',
      orphanSignal: 'SIGTERM',
      launch:
        launch ??
        (async () => {
          const process = new FakeProcess();
          launched.push(process);
          return process;
        }),
    },
    new RestartPolicy({ maxCrashes: 3, windowMs: 60_000, firstDelayMs: 1, maxDelayMs: 10, ...limits }),
    { log: (line) => lines.push(line), giveUp: (reason) => reasons.push(reason), restarted: (p) => restarted.push(p.pid) },
  );
  return { supervised, launched, lines, reasons, restarted };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not seen within 5 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('Supervised', () => {
  it('restarts a process that crashed, with one line saying how and when', async () => {
    const { supervised, launched, lines, restarted } = harness();
    await supervised.start();
    launched[0].crash();
    await until(() => launched.length === 2, 'a second start');
    await until(() => restarted.length === 1, 'the restart reported');
    expect(lines).toEqual(['worker crashed (killed by SIGKILL); restarting it in 0.001 s (crash 1 within 60 s; at 3 the launcher stops everything).']);
    expect(supervised.process).toBe(launched[1]);
    expect(restarted).toEqual([launched[1].pid]);
  });

  it('gives up at the limit instead of restarting', async () => {
    const { supervised, launched, reasons } = harness();
    await supervised.start();
    for (let n = 1; n <= 2; n++) {
      launched[n - 1].crash();
      await until(() => launched.length === n + 1, `restart ${n}`);
    }
    launched[2].crash();
    await until(() => reasons.length === 1, 'giving up');
    expect(reasons).toEqual(['worker crashed 3 times within 60 s (last: killed by SIGKILL)']);
    expect(launched).toHaveLength(3);
    expect(supervised.process).toBeUndefined();
  });

  it('counts a restart that fails as a crash and tries again', async () => {
    let attempts = 0;
    const launched: FakeProcess[] = [];
    const { supervised, lines } = harness({}, async () => {
      attempts++;
      if (attempts === 2) throw new Error('port 5432 is taken\nmore detail');
      const process = new FakeProcess();
      launched.push(process);
      return process;
    });
    await supervised.start();
    launched[0].crash();
    await until(() => launched.length === 2, 'the third attempt');
    expect(lines[1]).toMatch(/^worker crashed \(its restart failed: port 5432 is taken\); restarting it in 0\.002 s \(crash 2 /);
  });

  it('does not restart what it was told to stop, even while waiting to restart it', async () => {
    const { supervised, launched } = harness({ firstDelayMs: 60_000, maxDelayMs: 60_000 });
    await supervised.start();
    launched[0].crash();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await supervised.stop(); // wakes the 60 s wait, which then starts nothing
    expect(launched).toHaveLength(1);

    const second = harness();
    const first = await second.supervised.start();
    await second.supervised.stop();
    expect(first.stopped).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(second.launched).toHaveLength(1);
  });
});
