import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageOf } from '../../common/openapi.js';
import { PageQueryDto } from '../../common/pagination.js';
import { PathUuid } from '../../common/path-params.js';
import { TenantParams, WEBHOOK_PROVIDERS, type WebhookProvider } from '../../tenants/dto/tenant.dto.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../webhook.entities.js';

/** What a delivery came to (docs/webhooks.md#answers). */
export class WebhookAnswerView {
  @ApiProperty({
    enum: ['ok', 'ignored', 'duplicate'],
    description:
      '`ok`: processed. `ignored`: an event type that maps to no lifecycle moment. ' +
      '`duplicate`: this provider event id was processed before; nothing written.',
  })
  status: 'ok' | 'ignored' | 'duplicate';

  @ApiPropertyOptional({
    type: 'string',
    nullable: true,
    description: 'With `ok`: the lifecycle event recorded (null when none, e.g. Clerk `user.updated`).',
    example: 'subscription-started',
  })
  eventType?: string | null;

  @ApiPropertyOptional({
    type: 'string',
    format: 'uuid',
    nullable: true,
    description: 'With `ok`: the contact it was linked to; null when the event carried no identity.',
  })
  contactId?: string | null;
}

export class WebhookDeliveryParams extends TenantParams {
  @PathUuid('delivery', 'The delivery id (`id` in the list).')
  deliveryId: string;
}

export class ClerkImportParams extends TenantParams {
  @PathUuid('import')
  importId: string;
}

export class ClerkImportView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: ['running', 'completed', 'failed'] })
  status: string;

  @ApiProperty({ type: 'integer', description: "Pages of Clerk's user list read so far." })
  pages: number;

  @ApiProperty({ type: 'integer' })
  usersSeen: number;

  @ApiProperty({ type: 'integer' })
  contactsCreated: number;

  @ApiProperty({ type: 'string', nullable: true })
  error: string | null;

  @ApiProperty({ format: 'date-time' })
  startedAt: string;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  finishedAt: string | null;
}

/** `GET .../webhook-deliveries` filters, with `limit` and `cursor`. */
export class WebhookDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: WEBHOOK_PROVIDERS, enumName: 'WebhookProvider' })
  @IsOptional()
  @IsIn(WEBHOOK_PROVIDERS as unknown as string[], { message: '$property must be one of stripe, polar, clerk' })
  provider?: WebhookProvider;

  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, enumName: 'WebhookDeliveryStatus' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES as unknown as string[], { message: '$property must be one of ok, ignored, duplicate, failed' })
  status?: DeliveryStatus;
}

/** One delivery in the log (docs/webhooks.md, "Delivery log and replay"). */
export class WebhookDeliveryView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: WEBHOOK_PROVIDERS, enumName: 'WebhookProvider', description: 'The provider that sent it.' })
  provider: WebhookProvider;

  @ApiProperty({
    description: "The provider's event id, which deliveries are deduplicated on (Stripe `evt_…`, Polar `webhook-id`, Clerk `svix-id`).",
    example: 'evt_1QwSubCreated42',
  })
  providerEventId: string;

  @ApiProperty({ description: "The provider's event type.", example: 'customer.subscription.created' })
  type: string;

  @ApiProperty({
    enum: DELIVERY_STATUSES,
    enumName: 'WebhookDeliveryStatus',
    description:
      '`ok`: processed. `ignored`: maps to no lifecycle moment. `duplicate`: a redelivery of an event already processed; ' +
      'nothing written. `failed`: processing hit an internal error (see `error`); a retry or a replay processes it again.',
  })
  status: DeliveryStatus;

  @ApiProperty({ type: 'string', nullable: true, description: 'The lifecycle event recorded.', example: 'subscription-started' })
  eventType: string | null;

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: 'The contact it was recorded for.' })
  contactId: string | null;

  @ApiProperty({ type: 'string', nullable: true, description: 'With `failed`: the message of the internal error.' })
  error: string | null;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Deliveries and replays that processed this entry (a failure, then its retry: 2).' })
  attempts: number;

  @ApiProperty({ format: 'date-time', description: 'When it first arrived.' })
  receivedAt: string;
}

export class WebhookDeliveryPage extends PageOf(WebhookDeliveryView) {}

export class WebhookDeliveryDetailView extends WebhookDeliveryView {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: "The provider's JSON as received (decrypted); null for a delivery received before the log kept payloads.",
  })
  payload: Record<string, unknown> | null;
}

/** What a replay came to. */
export class WebhookReplayView {
  @ApiProperty({
    enum: ['ok', 'ignored', 'duplicate'],
    description:
      '`ok`: processed now (the event recorded). `ignored`: still maps to nothing. `duplicate`: the delivery already ' +
      'recorded its event; nothing written.',
  })
  status: 'ok' | 'ignored' | 'duplicate';

  @ApiProperty({ type: 'string', nullable: true, example: 'subscription-started' })
  eventType: string | null;

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  contactId: string | null;
}
