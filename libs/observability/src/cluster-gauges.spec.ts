import type { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import type { Projector } from '@keyward/event-store';
import type { DataSource } from 'typeorm';
import { ProjectionLag, registerProjectionLagGauges, registerQueueJobsGauge } from './cluster-gauges';

function lagReading(query: () => Promise<unknown>) {
  const projector = { checkpoint: async () => ({ transactionId: '7', position: 41 }) } as unknown as Projector;
  return new ProjectionLag({ query } as unknown as DataSource, projector);
}

describe('installation-wide gauges', () => {
  it('reads the projection lag once per scrape for both gauges', async () => {
    const query = jest.fn(async () => [{ n: 3, oldest: new Date(Date.now() - 90_000) }]);
    const registry = new Registry();
    registerProjectionLagGauges(registry, lagReading(query));
    const text = await registry.metrics();
    expect(text).toMatch(/^keyward_projection_lag_events 3$/m);
    expect(Number(text.match(/^keyward_projection_lag_seconds (\S+)$/m)![1])).toBeGreaterThanOrEqual(90);
    expect(query).toHaveBeenCalledTimes(1);
  });

  it('reports the lag as NaN, not 0, while Postgres does not answer, and still answers the scrape', async () => {
    const registry = new Registry();
    registerProjectionLagGauges(registry, lagReading(async () => Promise.reject(new Error('connection refused'))));
    const text = await registry.metrics();
    // prom-client writes "Nan"; Prometheus reads NaN in any case (Go's ParseFloat)
    expect(text).toMatch(/^keyward_projection_lag_events nan$/im);
    expect(text).toMatch(/^keyward_projection_lag_seconds nan$/im);
  });

  it('reports each queue by state, leaving out a queue Redis did not answer for', async () => {
    const queue = (name: string, counts: Record<string, number> | null) =>
      ({ name, getJobCounts: async () => (counts ? counts : Promise.reject(new Error('Connection is closed.'))) }) as unknown as Queue;
    const registry = new Registry();
    registerQueueJobsGauge(registry, [queue('usage', { waiting: 4, failed: 2 }), queue('projections', null)]);
    const text = await registry.metrics();
    expect(text).toMatch(/^keyward_queue_jobs\{queue="usage",state="waiting"\} 4$/m);
    expect(text).toMatch(/^keyward_queue_jobs\{queue="usage",state="failed"\} 2$/m);
    expect(text).not.toContain('queue="projections"');
  });
});
