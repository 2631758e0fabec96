import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, Problem } from '@keyward/common';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(/^(each value in )?\S+ /, (m, each) => (each ? 'each value ' : '')),
    }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** DTO validation: unknown fields refused, types strict, every failing field named. */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: true,
    exceptionFactory: (errors) => {
      const list = flatten(errors);
      return new Problem(400, 'VALIDATION_FAILED', list.map((e) => `${e.field}: ${e.message}`).join('; '), list);
    },
  });
}
