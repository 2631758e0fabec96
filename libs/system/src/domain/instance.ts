import { randomUUID } from 'node:crypto';

/** This process, for heartbeats: a new id at every start (the installation id is the lasting one). */
export const INSTANCE_ID = randomUUID();
