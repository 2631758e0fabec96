import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { OpenAPIObject } from '@nestjs/swagger';
import { openApiSnapshot } from './openapi-snapshot';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * The console's client types (apps/console/src/api/schema.generated.ts) are generated from this
 * document and committed; this spec fails when they are not what the API's document gives now.
 */
describe('OpenAPI snapshot', () => {
  let document: OpenAPIObject;

  beforeAll(async () => {
    // no database or Redis is reachable at the snapshot's addresses: preview mode opens no connection
    document = await openApiSnapshot();
  });

  it('describes the routes and answers the console reads, with their schemas', () => {
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/me', '/v1/keys', '/v1/keys/{id}/state', '/v1/audit-events', '/v1/system/status', '/v1/webhooks']));
    const ok = (path: string) => document.paths[path].get?.responses?.['200'] as { content?: Record<string, { schema?: unknown }> } | undefined;
    expect(ok('/v1/keys/{id}/state')?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/KeyStateAtResponse' });
    // an event's actor and metadata have a shape (not an object of no properties)
    const event = document.components?.schemas?.AuditEventResponse as { properties: Record<string, unknown> };
    expect(JSON.stringify(event.properties.actor)).toContain('"#/components/schemas/AuditActorResponse"');
    expect(JSON.stringify(event.properties.metadata)).toContain('"#/components/schemas/AuditMetadataResponse"');
  });

  it('is what the console client was generated from (else: npm run generate:console-client)', () => {
    const check = spawnSync(process.execPath, [join(ROOT, 'scripts', 'console-schema.js'), '--check'], { cwd: ROOT, input: JSON.stringify(document), encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
