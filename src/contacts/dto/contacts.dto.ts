import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { EMAIL_MAX_LENGTH, ID_MAX_LENGTH } from '../../common/limits.js';
import { ApiScalarMap, PageOf } from '../../common/openapi.js';
import { PageQueryDto } from '../../common/pagination.js';
import { PathUuid } from '../../common/path-params.js';
import { TenantParams } from '../../tenants/dto/tenant.dto.js';
import { CONNECTORS, type Connector, type Scalar } from '../../common/vocabulary.js';
import type { Consent } from '../contact.entity.js';

export class ContactParams extends TenantParams {
  @PathUuid('contact')
  contactId: string;
}

export class ContactsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ maxLength: EMAIL_MAX_LENGTH, description: 'Exact match (case-insensitive).', example: 'ada@example.com' })
  @IsOptional()
  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH)
  email?: string;

  @ApiPropertyOptional({ maxLength: ID_MAX_LENGTH, description: 'Your own user id (`userId`/`externalId`).', example: 'u_42' })
  @IsOptional()
  @IsString()
  @MaxLength(ID_MAX_LENGTH)
  externalId?: string;
}

const ISO = { type: 'string', format: 'date-time' } as const;

export class ConsentView implements Consent {
  @ApiProperty({ enum: ['granted'] })
  status: 'granted';

  @ApiProperty({ description: 'The connector that recorded it.', example: 'events_api' })
  source: string;

  @ApiProperty(ISO)
  at: string;
}

export class ContactView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'u_42' })
  externalId: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: 'ada@example.com' })
  email: string | null;

  @ApiProperty({ type: 'string', nullable: true, example: 'Ada' })
  name: string | null;

  @ApiScalarMap({ description: 'Merged traits (flat scalars).', example: { plan: 'starter' } })
  attributes: Record<string, Scalar>;

  @ApiProperty({ type: ConsentView, nullable: true, description: 'Lifecycle consent; recorded when an email arrives.' })
  consent: ConsentView | null;

  @ApiProperty(ISO)
  createdAt: string;

  @ApiProperty(ISO)
  updatedAt: string;
}

export class ContactPage extends PageOf(ContactView) {}

export class ContactEventView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'user.signed_up' })
  type: string;

  @ApiScalarMap({ example: { plan: 'pro' } })
  properties: Record<string, Scalar>;

  @ApiProperty(ISO)
  occurredAt: string;

  @ApiProperty(ISO)
  receivedAt: string;

  @ApiProperty({ type: 'string', nullable: true, example: 'signup-u_42' })
  messageId: string | null;

  @ApiProperty({ enum: CONNECTORS, enumName: 'Connector', description: 'The connector that delivered it.' })
  source: string;

  @ApiProperty({ description: 'Recorded with `?backfill=true`: it enrolled in no journey and exited no run.' })
  backfill: boolean;
}

export class ContactEventPage extends PageOf(ContactEventView) {}

export class ConnectorHealth {
  @ApiProperty({ type: 'integer', description: 'Contacts this connector has written.' })
  contacts: number;

  @ApiProperty({ type: 'integer', description: 'Events this connector has written.' })
  events: number;

  @ApiProperty({ ...ISO, nullable: true })
  lastActivityAt: string | null;
}

/** One entry per connector, always all of them (zeros for the unused ones). */
export class ConnectorsHealth implements Record<Connector, ConnectorHealth> {
  @ApiProperty()
  events_api: ConnectorHealth;

  @ApiProperty()
  stripe: ConnectorHealth;

  @ApiProperty()
  polar: ConnectorHealth;

  @ApiProperty()
  clerk: ConnectorHealth;

  @ApiProperty()
  usermaven: ConnectorHealth;

  @ApiProperty()
  intake: ConnectorHealth;

  @ApiProperty()
  segment: ConnectorHealth;
}

export class IngestionHealthView {
  @ApiProperty({ type: ConnectorsHealth })
  connectors: Record<string, ConnectorHealth>;
}
