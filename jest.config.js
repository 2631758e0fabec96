// @ts-check
const fs = require('node:fs');
const path = require('node:path');

// The build's .swcrc is the one source of swc settings, but it excludes spec files
// (they must not land in dist/). Jest has to compile them, so it gets the same
// settings without the exclusion, and swc must not look the file up again.
const { exclude: _buildOnly, $schema: _schema, ...swcrc } = JSON.parse(
  fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'),
);

/**
 * The end-to-end suites that go through every kind of Redis client Keyward has (BullMQ queues and
 * workers, the rate limiter, the checkpoint channel, dashboard sessions, health and metrics), run
 * a second time on a 3-master Redis Cluster (docs/redis-cluster.md), plus the cluster's own checks.
 */
const ON_REDIS_CLUSTER = [
  'test/two-instances.e2e-spec.ts',
  'test/rate-limit.e2e-spec.ts',
  'test/ops.e2e-spec.ts',
  'test/redis-cluster.e2e-spec.ts',
];

/** What both projects share. */
const project = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // @keyward/nestjs is the workspace package (its source), every other @keyward/<lib> a lib
  moduleNameMapper: { '^@keyward/nestjs$': '<rootDir>/packages/nestjs/src', '^@keyward/([^/]+)$': '<rootDir>/libs/$1/src' },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/packages/[^/]+/dist/'],
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60_000,
  projects: [
    {
      ...project,
      displayName: 'redis',
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/packages', '<rootDir>/test'],
      testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
      // the cluster's own checks need the cluster
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/redis-cluster\\.e2e-spec\\.ts$'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
    },
    {
      ...project,
      displayName: 'redis-cluster',
      roots: ['<rootDir>/test'],
      testMatch: ON_REDIS_CLUSTER.map((file) => `<rootDir>/${file}`),
      globalSetup: '<rootDir>/libs/testing/src/cluster-global-setup.ts',
      setupFiles: ['<rootDir>/libs/testing/src/redis-cluster-mode.ts'],
    },
  ],
};
