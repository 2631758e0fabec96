import { delay, describeExit, isProcessRunning, ServerExit } from '@keyward/embedded';

/** One process the launcher runs (Postgres, Redis, the API, the worker), as its supervisor sees it. */
export interface SupervisedProcess {
  /** The process itself (postgres' postmaster, redis-server, node), not the helper that runs it. */
  pid: number;
  /** Resolves when it has exited, however that happened. */
  exited: Promise<ServerExit>;
  /** Stops it in order; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface RestartLimits {
  /** This many crashes of one process within `windowMs` and the launcher stops everything. */
  maxCrashes: number;
  windowMs: number;
  /** Wait before the first restart; doubled for each further crash within the window, up to `maxDelayMs`. */
  firstDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_LIMITS: RestartLimits = { maxCrashes: 5, windowMs: 60_000, firstDelayMs: 500, maxDelayMs: 10_000 };

/** Counts the crashes of one process within the window and says how long to wait before the restart, or to give up. */
export class RestartPolicy {
  private crashes: number[] = [];

  constructor(
    readonly limits: RestartLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash: `delayMs` before restarting, or null when there were too many. */
  crashed(): { crashes: number; delayMs: number | null } {
    const now = this.now();
    this.crashes = this.crashes.filter((at) => now - at < this.limits.windowMs);
    this.crashes.push(now);
    const crashes = this.crashes.length;
    if (crashes >= this.limits.maxCrashes) return { crashes, delayMs: null };
    return { crashes, delayMs: Math.min(this.limits.firstDelayMs * 2 ** (crashes - 1), this.limits.maxDelayMs) };
  }
}

export interface SupervisorHooks {
  /** One line for the operator. */
  log(line: string): void;
  /** It crashed too often within the window: stop everything. */
  giveUp(reason: string): void;
  /** It runs again, as `process`. */
  restarted(process: SupervisedProcess): void;
}

export interface SupervisedOptions<P extends SupervisedProcess> {
  /** As the operator reads it: Postgres, Redis, API, worker. */
  name: string;
  /** Starts it; resolves once it runs (a rejection counts as a crash when restarting). */
  launch: () => Promise<P>;
  /**
   * Part of its command line: when its helper was killed outright the process itself may still
   * run (holding its port, its data directory); it is then stopped with `orphanSignal` before the
   * restart. The pid is checked against this first, in case it was reused.
   */
  commandIncludes: string;
  /** Postgres: SIGINT (fast shutdown; SIGTERM would wait for every client to leave). */
  orphanSignal: NodeJS.Signals;
}

const ORPHAN_GRACE_MS = 30_000;

/**
 * Runs one process and restarts it when it exits on its own: after a backoff that doubles with
 * each crash within the window, with one line each time; after too many, asks the launcher to
 * stop everything instead.
 */
export class Supervised<P extends SupervisedProcess = SupervisedProcess> {
  private current?: P;
  private stopping = false;
  private recovering?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly options: SupervisedOptions<P>,
    private readonly policy: RestartPolicy,
    private readonly hooks: SupervisorHooks,
  ) {}

  get name(): string {
    return this.options.name;
  }

  /** What runs now; undefined while it is being restarted. */
  get process(): P | undefined {
    return this.current;
  }

  /** The first start: a failure here is the caller's (the launcher stops), not a crash. */
  async start(): Promise<P> {
    const process = await this.options.launch();
    this.adopt(process);
    return process;
  }

  /** Stops it for good: no restart after this, one under way is waited for and stopped. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    while (this.recovering) {
      const recovering = this.recovering;
      await recovering;
      if (this.recovering === recovering) this.recovering = undefined;
    }
    await this.current?.stop();
  }

  private adopt(process: P): void {
    this.current = process;
    void process.exited.then((exit) => {
      if (this.stopping || this.current !== process) return;
      this.current = undefined;
      this.recovering = this.recover(process.pid, describeExit(exit));
    });
  }

  private async recover(pid: number | undefined, how: string): Promise<void> {
    if (pid !== undefined) await this.stopOrphan(pid);
    if (this.stopping) return;
    const { crashes, delayMs } = this.policy.crashed();
    const { maxCrashes, windowMs } = this.policy.limits;
    if (delayMs === null) {
      this.hooks.giveUp(`${this.name} crashed ${crashes} times within ${windowMs / 1000} s (last: ${how})`);
      return;
    }
    this.hooks.log(
      `${this.name} crashed (${how}); restarting it in ${delayMs / 1000} s ` +
        `(crash ${crashes} within ${windowMs / 1000} s; at ${maxCrashes} the launcher stops everything).`,
    );
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
    if (this.stopping) return;
    let process: P;
    try {
      process = await this.options.launch();
    } catch (err) {
      if (this.stopping) return;
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      this.recovering = this.recover(undefined, `its restart failed: ${reason}`);
      return;
    }
    if (this.stopping) return process.stop();
    this.adopt(process);
    this.hooks.restarted(process);
  }

  /** The process itself outlived its helper (the helper was killed outright): stop it before starting another. */
  private async stopOrphan(pid: number): Promise<void> {
    if (!isProcessRunning(pid, this.options.commandIncludes)) return;
    this.hooks.log(`${this.name}'s process ${pid} outlived its helper: stopping it (${this.options.orphanSignal}) before the restart.`);
    signal(pid, this.options.orphanSignal);
    const deadline = Date.now() + ORPHAN_GRACE_MS;
    while (isProcessRunning(pid, this.options.commandIncludes)) {
      if (Date.now() > deadline) {
        signal(pid, 'SIGKILL');
        return;
      }
      await delay(100);
    }
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
