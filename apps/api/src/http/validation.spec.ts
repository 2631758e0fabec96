import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsObject, IsString, Length, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { FieldError, Problem } from '@keyward/common';
import { OptionalNotNull, validationPipe } from './validation';

class LimitDto {
  @IsInt()
  @Min(1)
  @Max(10)
  limit!: number;
}

/** Rules written type first, then range, as every Keyward DTO does. */
class SampleDto {
  @IsString()
  @MaxLength(256)
  key!: string;

  @IsString()
  @Length(1, 100)
  name!: string;

  @OptionalNotNull()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];

  @OptionalNotNull()
  @IsObject()
  @ValidateNested()
  @Type(() => LimitDto)
  rate?: LimitDto;
}

async function errorsFor(body: Record<string, unknown>): Promise<FieldError[]> {
  try {
    await validationPipe().transform(body, { type: 'body', metatype: SampleDto });
  } catch (err) {
    expect(err).toBeInstanceOf(Problem);
    return ((err as Problem).getResponse() as { errors: FieldError[] }).errors;
  }
  throw new Error('the body was accepted');
}

describe('validationPipe', () => {
  it('says a missing required field "is required", not what its last rule checks (length)', async () => {
    expect(await errorsFor({})).toEqual([
      { field: 'key', message: 'is required' },
      { field: 'name', message: 'is required' },
    ]);
  });

  it('names the rule written first when several fail: the type, not the length', async () => {
    expect(await errorsFor({ key: 123, name: 7 })).toEqual([
      { field: 'key', message: 'must be a string' },
      { field: 'name', message: 'must be a string' },
    ]);
    expect(await errorsFor({ key: null, name: 'n' })).toEqual([{ field: 'key', message: 'must be a string' }]);
  });

  it('names the later rule when only it fails', async () => {
    expect(await errorsFor({ key: 'x'.repeat(257), name: '' })).toEqual([
      { field: 'key', message: 'must be shorter than or equal to 256 characters' },
      { field: 'name', message: 'must be longer than or equal to 1 characters' },
    ]);
  });

  it('leaves an optional field alone when it is absent, and validates it when it is null', async () => {
    expect(await errorsFor({ key: 'k', name: 'n', tags: null })).toEqual([{ field: 'tags', message: 'must be an array' }]);
  });

  it('names nested fields: missing ones are required; a wrong container is named by its own type rule', async () => {
    expect(await errorsFor({ key: 'k', name: 'n', rate: {} })).toEqual([{ field: 'rate.limit', message: 'is required' }]);
    expect(await errorsFor({ key: 'k', name: 'n', rate: { limit: 11 } })).toEqual([{ field: 'rate.limit', message: 'must not be greater than 10' }]);
    expect(await errorsFor({ key: 'k', name: 'n', rate: 5 })).toEqual([{ field: 'rate', message: 'must be an object' }]);
  });

  it('still refuses unknown fields', async () => {
    expect(await errorsFor({ key: 'k', name: 'n', nope: 1 })).toEqual([{ field: 'nope', message: expect.stringContaining('should not exist') }]);
  });
});
