import { ServerExit } from './child-process';

/** A server process this process started and owns. */
export interface RunningServer {
  /** How to connect (for Postgres, with its credentials: do not print it). */
  url: string;
  /** The server's own process (postgres' postmaster, redis-server), not the helper that runs it. */
  pid: number;
  /** Stops the server; resolves once it has exited. Safe to call more than once. */
  stop(): Promise<void>;
  /** Resolves when the server has exited, for whatever reason, with how it ended. */
  exited: Promise<ServerExit>;
}
