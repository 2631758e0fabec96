import { ParseUUIDPipe, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateBy, ValidateIf, buildMessage } from 'class-validator';
import { FieldError, Problem } from '@keyward/common';

/**
 * The one message a failing field gets: "is required" when it is missing (an optional field
 * that is left out is never validated, see OptionalNotNull), otherwise the first rule written
 * on the property that fails. class-validator runs a property's rules in the order their
 * decorators were applied, which is bottom-up: the last one written (often a length or range
 * rule) would speak first and tell a caller who sent nothing, or a number, that the value is
 * "too long". `constraints` keeps that run order, so the rule written first is its last entry
 * (ValidateNested's own check runs after all of them: it speaks only when nothing else does).
 */
function messageOf(e: ValidationError): string | null {
  const { nestedValidation, ...rules } = e.constraints ?? {};
  const messages = Object.values(rules);
  if (messages.length === 0 && nestedValidation === undefined) return null;
  if (e.value === undefined) return 'is required';
  return (messages[messages.length - 1] ?? nestedValidation).replace(/^(each value in )?\S+ /, (_m, each) => (each ? 'each value ' : ''));
}

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    const message = messageOf(e);
    return [...(message === null ? [] : [{ field, message }]), ...flatten(e.children ?? [], field)];
  });
}

/** DTO validation: unknown fields refused, types strict, every failing field named. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // every rule runs so that messageOf can answer with the one written first (see there)
    stopAtFirstError: false,
    // the value tells a missing field from a wrong one; the target is not needed
    validationError: { target: false, value: true },
    exceptionFactory: (errors) => {
      const list = flatten(errors);
      return new Problem(400, 'VALIDATION_FAILED', list.map((e) => `${e.field}: ${e.message}`).join('; '), list);
    },
  });
}

/**
 * Optional, but not null: a field may be left out; `null` is validated (and refused)
 * like any other wrong value. class-validator's IsOptional would let null through.
 */
export const OptionalNotNull = () => ValidateIf((_object: unknown, value: unknown) => value !== undefined);

/**
 * IsISO8601 also passes forms that `new Date()` cannot read (20300101T000000Z, 2030-W01-1,
 * 2030-01-01T10); they would reach the query as an invalid date.
 */
export const ReadableByDate = () =>
  ValidateBy({
    name: 'readableByDate',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value)),
      defaultMessage: buildMessage((each) => `${each}$property must be a date-time such as 2030-01-01T00:00:00Z`),
    },
  });

/** A path parameter that must be a UUID: 400 naming it otherwise (never a lookup of a malformed id). */
export const uuidParam = (field = 'id') => new ParseUUIDPipe({ exceptionFactory: () => Problem.invalidField(field, 'must be a UUID') });
