import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

export class VerifierAckDto {
  @ApiProperty({ minimum: 0, description: 'every change up to this seq has been applied to the cache' })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  seq!: number;
}

export class VerifierAckResponse {
  @ApiProperty({ description: 'the lease, renewed from now (database clock)' }) leaseMs!: number;
}

/** `event: hello`, first on the stream. */
export class VerifierHelloEvent {
  @ApiProperty({ format: 'uuid' }) verifierId!: string;
  @ApiProperty() leaseMs!: number;
  @ApiProperty({ description: 'changes after this seq follow on the stream' }) head!: number;
}

/** `event: change`: one change of the company, in seq order. */
export class VerifierChangeEvent {
  @ApiProperty() seq!: number;
  @ApiProperty({ type: [String], format: 'uuid', description: 'drop these keys' }) keyIds!: string[];
  @ApiProperty({ type: [String], format: 'uuid', description: 'drop every key of these owners' }) ownerIds!: string[];
  @ApiProperty({ description: 'a role or permission changed: drop every cached key' }) wholeCompany!: boolean;
}

/** `event: head`: nothing to apply up to seq. */
export class VerifierHeadEvent {
  @ApiProperty() seq!: number;
}
