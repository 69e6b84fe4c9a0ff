import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PathUuid } from '../../common/path-params.js';
import { TenantParams } from '../../tenants/dto/tenant.dto.js';

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
