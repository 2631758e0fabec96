import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/**
 * No Docker engine runs where these tests run, so the image and the compose file are
 * checked as configuration: what an operator relies on must be there.
 */
const root = path.join(__dirname, '..');
const dockerfile = readFileSync(path.join(root, 'docker/Dockerfile'), 'utf8');
// compose applies YAML merge keys (<<: *keyward)
const compose = parse(readFileSync(path.join(root, 'docker/compose.yaml'), 'utf8'), { merge: true });

describe('docker/', () => {
  it('builds one multi-stage image that runs as a non-root user', () => {
    const stages = dockerfile.match(/^FROM .+ AS \w+$/gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/^USER keyward$/m);
    expect(runtime).not.toMatch(/^USER root$/m);
    expect(runtime).toMatch(/HEALTHCHECK .*\/health\/live/s);
  });

  it('starts the api, the worker or the cli from that image', () => {
    const entry = readFileSync(path.join(root, 'docker/entrypoint.sh'), 'utf8');
    for (const app of ['api', 'worker', 'cli']) expect(entry).toContain(`/app/dist/apps/${app}/src/main.js`);
  });

  it('runs Postgres, Redis with AOF and noeviction, two API replicas and a worker', () => {
    const s = compose.services;
    expect(Object.keys(s).sort()).toEqual(['api', 'postgres', 'redis', 'worker']);
    expect(s.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']));
    expect(s.api.deploy.replicas).toBe(2);
    expect(s.api.command).toEqual(['api']);
    expect(s.worker.command).toEqual(['worker']);
    for (const app of [s.api, s.worker]) {
      expect(app.image).toBe(s.api.image);
      expect(Object.keys(app.environment)).toEqual(
        expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'KEYWARD_PEPPER', 'SECRETS_ENCRYPTION_KEY', 'AUDIT_SIGNING_KEY']),
      );
      expect(app.depends_on.postgres.condition).toBe('service_healthy');
      expect(app.depends_on.redis.condition).toBe('service_healthy');
    }
    // secrets come from the operator's env file, never from the repository
    expect(JSON.stringify(compose)).not.toMatch(/KEYWARD_PEPPER: [^$]/);
  });
});
