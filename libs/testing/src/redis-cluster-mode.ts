import { REDIS_CLUSTER_MODE } from './test-env';

// Jest set-up file of the project `redis-cluster` (jest.config.js): testConfig() in this test
// file names the run's Redis Cluster (REDIS_CLUSTER_NODES) instead of its Redis server.
process.env[REDIS_CLUSTER_MODE] = 'cluster';
