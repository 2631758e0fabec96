// @ts-check
const fs = require('node:fs');
const path = require('node:path');

// The build's .swcrc is the one source of swc settings, but it excludes spec files
// (they must not land in dist/). Jest has to compile them, so it gets the same
// settings without the exclusion, and swc must not look the file up again.
const { exclude: _buildOnly, $schema: _schema, ...swcrc } = JSON.parse(
  fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'),
);

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/packages', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // @keyward/nestjs is the workspace package (its source), every other @keyward/<lib> a lib
  moduleNameMapper: { '^@keyward/nestjs$': '<rootDir>/packages/nestjs/src', '^@keyward/([^/]+)$': '<rootDir>/libs/$1/src' },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/packages/[^/]+/dist/'],
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  testTimeout: 60_000,
};
