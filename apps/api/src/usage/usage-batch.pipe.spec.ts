import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { getMetadataStorage } from 'class-validator';
import { FieldError, Problem } from '@keyward/common';
import { validationPipe } from '../http/validation';
import { UsageBatchPipe, isValidUsageBatch } from './usage-batch.pipe';
import { ReportedUseDto, UsageBatchDto } from './usage.dto';

const BODY = { type: 'body' as const, data: undefined };

function record(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: randomUUID(),
    keyId: randomUUID(),
    method: 'GET',
    route: '/invoices/:id',
    status: 200,
    ip: '203.0.113.7',
    userAgent: 'curl/8',
    requestId: 'r-1',
    durationMs: 3.5,
    occurredAt: new Date().toISOString(),
    ...extra,
  };
}

/** What the global validation pipe answers for `body` as a UsageBatchDto: null when it accepts it. */
async function dtoErrors(body: unknown): Promise<FieldError[] | null> {
  try {
    await validationPipe().transform(body, { ...BODY, metatype: UsageBatchDto });
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(Problem);
    return ((err as Problem).getResponse() as { errors: FieldError[] }).errors;
  }
}

async function pipeErrors(body: unknown): Promise<FieldError[] | null> {
  try {
    await new UsageBatchPipe().transform(body, BODY);
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(Problem);
    expect((err as Problem).getStatus()).toBe(400);
    return ((err as Problem).getResponse() as { errors: FieldError[] }).errors;
  }
}

const hour = 3600 * 1000;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

/** Values tried in every field of a record: each is accepted by the fast path exactly when the DTO accepts it. */
const VALUES: unknown[] = [
  undefined, null, true, 0, -1, 1.5, 99, 100, 200, 599, 600, 86_400_000, 86_400_001, '', ' ', 'x', 'GET', 'get', 'PATCH',
  'ABCDEFGHIJKLMNOPQ', '/a', 'a'.repeat(200), 'a'.repeat(201), 'a'.repeat(512), 'a'.repeat(513), '\u{1F600}'.repeat(512), '\uFE0F',
  randomUUID(), randomUUID().toUpperCase(), '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '6ba7b810-9dad-11d1-80b4-00c04fd430c8', '{6ba7b810-9dad-11d1-80b4-00c04fd430c8}', '6ba7b8109dad11d180b400c04fd430c8',
  '203.0.113.7', '256.0.0.1', '::1', '2001:db8::1', 'fe80::1%eth0', '::ffff:203.0.113.7', '01.2.3.4', '1.2.3',
  iso(0), iso(-23 * hour), iso(-25 * hour), iso(4 * 60 * 1000), iso(6 * 60 * 1000), iso(0).replace('T', ' '), iso(0).slice(0, 10),
  iso(0).replace('Z', '+00:00'), iso(0).replace(/\.\d+Z$/, 'Z'), '2026-02-30T00:00:00Z', [], {}, ['GET'], { value: 'GET' },
];
const FIELDS = ['eventId', 'keyId', 'method', 'route', 'status', 'ip', 'userAgent', 'requestId', 'durationMs', 'occurredAt'];

describe('UsageBatchPipe', () => {
  it('passes a valid batch on as it came, a plain object', async () => {
    const body = { records: [record(), record({ userAgent: undefined, requestId: undefined }), record({ method: 'DELETE', ip: '2001:db8::7' })] };
    expect(isValidUsageBatch(body)).toBe(true);
    expect(await dtoErrors(body)).toBeNull();
    await expect(new UsageBatchPipe().transform(body, BODY)).resolves.toBe(body);
  });

  it('accepts a value in a field exactly when the DTO does, and then answers as the DTO does, naming records[i].<field>', async () => {
    let refused = 0;
    for (const field of FIELDS) {
      for (const value of VALUES) {
        const body = { records: [record(), record({ [field]: value })] };
        const expected = await dtoErrors(body);
        const what = `${field} = ${JSON.stringify(value)?.slice(0, 40)}`;
        expect({ what, fast: isValidUsageBatch(body) }).toEqual({ what, fast: expected === null });
        expect({ what, errors: await pipeErrors(body) }).toEqual({ what, errors: expected });
        if (expected !== null) {
          refused++;
          expect({ what, fields: expected.map((e) => e.field) }).toEqual({ what, fields: [`records[1].${field}`] });
        }
      }
    }
    expect(refused).toBeGreaterThan(FIELDS.length * 20);
  });

  it.each([
    ['a body that is an array', [record()], ['0', 'records']],
    ['no records', {}, ['records']],
    ['records not an array', { records: record() }, ['records']],
    ['no record', { records: [] }, ['records']],
    ['more than 1000 records', { records: Array.from({ length: 1001 }, () => record()) }, ['records']],
    ['a record that is not an object', { records: [record(), 'GET /'] }, ['records[1]']],
    ['a record that is null', { records: [null] }, ['records[0]']],
    ['an unknown field of a record', { records: [record({ extra: 1 })] }, ['records[0].extra']],
    ['an unknown field of the body', { records: [record()], extra: 1 }, ['extra']],
  ])('refuses %s as the DTO does', async (_what, body, fields) => {
    const expected = await dtoErrors(body);
    expect(isValidUsageBatch(body)).toBe(false);
    expect(expected?.map((e) => e.field)).toEqual(fields);
    expect(await pipeErrors(body)).toEqual(expected);
  });

  it("mirrors ReportedUseDto's rules: a rule changed there must be changed in isValidUsageBatch too", () => {
    const rules = getMetadataStorage()
      .getTargetValidationMetadatas(ReportedUseDto, '', true, false)
      .map((m) => `${m.propertyName} ${m.name ?? m.type} ${(m.constraints ?? []).map((c: unknown) => (typeof c === 'function' ? 'fn' : String(c instanceof RegExp ? c : JSON.stringify(c)))).join(' ')}`.trim())
      .sort();
    expect(rules).toEqual(
      [
        'durationMs isNumber {"allowNaN":false,"allowInfinity":false}',
        'durationMs max 86400000',
        'durationMs min 0',
        'eventId isUuid undefined',
        'ip isIp undefined',
        'keyId isUuid undefined',
        'method isString',
        'method matches /^[A-Z]{1,16}$/ undefined',
        'occurredAt isIso8601 {"strict":true,"strictSeparator":true}',
        'occurredAt withinLastDay',
        'requestId conditionalValidation fn',
        'requestId isString',
        'requestId maxLength 200',
        'route isLength 1 512',
        'route isString',
        'status isInt',
        'status max 599',
        'status min 100',
        'userAgent conditionalValidation fn',
        'userAgent isString',
        'userAgent maxLength 512',
      ].sort(),
    );
  });
});
