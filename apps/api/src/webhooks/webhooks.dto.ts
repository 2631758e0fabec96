import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, MaxLength } from 'class-validator';
import { EVERY_EVENT, MAX_URL_LENGTH } from '@keyward/webhooks';
import { EVENT_TYPES } from '../audit/event-types';
import { OptionalNotNull } from '../http/validation';

/** Every event type a webhook may ask for, and "*". */
export const WEBHOOK_EVENT_CHOICES = [EVERY_EVENT, ...[...EVENT_TYPES].sort()];

export class CreateWebhookDto {
  @ApiProperty({
    maxLength: MAX_URL_LENGTH,
    example: 'https://siem.example.com/keyward',
    description:
      'http(s) URL of the receiver; no credentials in it. Private, loopback and link-local addresses are refused unless WEBHOOK_ALLOW_PRIVATE=true',
  })
  @IsString()
  @MaxLength(MAX_URL_LENGTH)
  url!: string;

  @ApiProperty({
    type: [String],
    enum: WEBHOOK_EVENT_CHOICES,
    minItems: 1,
    maxItems: 50,
    example: ['KeyCreated', 'KeyRevoked', 'KeyExpiringSoon'],
    description: 'event types to deliver, or ["*"]: every event of the company in log order, with position and hash (an audit stream)',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsIn(WEBHOOK_EVENT_CHOICES, { each: true, message: 'each must be "*" or an event type of the audit trail (see the enum)' })
  events!: string[];

  @ApiPropertyOptional({ maxLength: 500 })
  @OptionalNotNull()
  @IsString()
  @MaxLength(500)
  description?: string;
}

export class WebhookResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String] }) events!: string[];
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ enum: ['active', 'failing'], description: 'failing from the first failed attempt until one succeeds' }) state!: string;
  @ApiProperty({ type: 'integer', description: 'events waiting to be delivered (counted up to 100,000)' }) backlog!: number;
  @ApiProperty({ type: 'integer', description: 'log position of the last event the receiver acknowledged (the webhook\'s own creation at first)' })
  deliveredPosition!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastDeliveryAt!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'HTTP status of the last attempt; null when no answer came' }) lastStatus!: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) failingSince!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'when the failed event is tried again' }) nextAttemptAt!: string | null;
}

export class WebhookList {
  @ApiProperty({ type: [WebhookResponse] }) items!: WebhookResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class WebhookDeliveryResponse {
  @ApiProperty() id!: string;
  @ApiProperty({ format: 'date-time' }) attemptedAt!: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'log position of the event; null for a test' }) position!: number | null;
  @ApiProperty() eventType!: string;
  @ApiProperty({ type: 'integer', description: '1 for the first attempt at this event, then 2, 3, …' }) attempt!: number;
  @ApiProperty({ type: 'integer', nullable: true }) status!: number | null;
  @ApiProperty() ok!: boolean;
  @ApiProperty({ type: 'integer' }) durationMs!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty() test!: boolean;
}

export class WebhookDeliveryList {
  @ApiProperty({ type: [WebhookDeliveryResponse] }) items!: WebhookDeliveryResponse[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class WebhookTestResponse {
  @ApiProperty({ description: 'the receiver answered 2xx' }) ok!: boolean;
  @ApiProperty({ type: 'integer', nullable: true }) status!: number | null;
  @ApiProperty({ type: 'integer' }) durationMs!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
}
