export * from './logging';
export * from './cluster-gauges';
export * from './metrics';
export * from './worker-metrics';
