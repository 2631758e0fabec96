import { Command } from '@nestjs/cqrs';
import type { SweepResult } from '../../delivery/webhook-sweep';

/** Wakes every webhook with events waiting and no retry set for later; trims the delivery log. */
export class SweepWebhooksCommand extends Command<SweepResult> {}
