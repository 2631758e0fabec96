import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { isIP, isISO8601, isInt, isNumber, isString, isUUID, length, matches, max, maxLength, min } from 'class-validator';
import { validationPipe } from '../http/validation';
import { ReportedUseDto, UsageBatchDto, isWithinLastDay } from './usage.dto';

/** A body that passed UsageBatchDto's rules (a plain object: the route needs no class instances). */
export interface UsageBatch {
  records: ReportedUseDto[];
}

const RECORD_FIELDS = new Set(['eventId', 'keyId', 'method', 'route', 'status', 'ip', 'userAgent', 'requestId', 'durationMs', 'occurredAt']);
const METHOD = /^[A-Z]{1,16}$/;
const STRICT_ISO8601 = { strict: true, strictSeparator: true };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * ReportedUseDto's rules, record by record, with class-validator's own predicates and nothing of
 * its machinery (metadata lookups, class instances, error objects). True only when the DTO
 * accepts the record too; the spec beside pins the DTO's rules, so a rule added there fails it
 * until it is added here.
 */
function isValidRecord(r: unknown): boolean {
  if (!isPlainObject(r)) return false;
  for (const k in r) if (!RECORD_FIELDS.has(k)) return false;
  return (
    isUUID(r.eventId) &&
    isUUID(r.keyId) &&
    isString(r.method) &&
    matches(r.method, METHOD) &&
    isString(r.route) &&
    length(r.route, 1, 512) &&
    isInt(r.status) &&
    min(r.status, 100) &&
    max(r.status, 599) &&
    isIP(r.ip) &&
    (r.userAgent === undefined || (isString(r.userAgent) && maxLength(r.userAgent, 512))) &&
    (r.requestId === undefined || (isString(r.requestId) && maxLength(r.requestId, 200))) &&
    isNumber(r.durationMs, { allowNaN: false, allowInfinity: false }) &&
    min(r.durationMs, 0) &&
    max(r.durationMs, 86_400_000) &&
    isISO8601(r.occurredAt, STRICT_ISO8601) &&
    isWithinLastDay(r.occurredAt)
  );
}

/** True only when UsageBatchDto accepts `body` as it is. */
export function isValidUsageBatch(body: unknown): body is UsageBatch {
  if (!isPlainObject(body)) return false;
  for (const k in body) if (k !== 'records') return false;
  const records = body.records;
  if (!Array.isArray(records) || records.length < 1 || records.length > 1000) return false;
  for (const r of records) if (!isValidRecord(r)) return false;
  return true;
}

/**
 * The body of POST /v1/usage: up to 1000 records, where class-validator and class-transformer
 * spent most of the API's CPU per record. A valid batch passes on the fast path above; anything
 * else goes through the DTO with the global validation pipe's rules, which gives the answer
 * (400 naming `records[i].<field>`) exactly as before.
 */
@Injectable()
export class UsageBatchPipe implements PipeTransform<unknown, Promise<UsageBatch>> {
  private readonly dto = validationPipe();

  async transform(value: unknown, metadata: ArgumentMetadata): Promise<UsageBatch> {
    if (isValidUsageBatch(value)) return value;
    return this.dto.transform(value, { ...metadata, metatype: UsageBatchDto });
  }
}
