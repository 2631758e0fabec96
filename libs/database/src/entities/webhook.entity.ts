import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Read model of a company's webhook, projected from its `webhook-<id>` stream (its delivery state is in webhook_cursors). */
@Entity('webhooks')
export class WebhookEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'company_id' }) companyId!: string;
  @Column('text') url!: string;
  /** Event types delivered, or `["*"]`. */
  @Column('text', { array: true }) events!: string[];
  @Column('text', { nullable: true }) description!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'deleted_at', nullable: true }) deletedAt!: Date | null;
  @Column('integer') version!: number;
}
