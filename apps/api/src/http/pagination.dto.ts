import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { OptionalNotNull } from './validation';

export class PaginationDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @OptionalNotNull()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'opaque cursor from a previous page (nextCursor)' })
  @OptionalNotNull()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
