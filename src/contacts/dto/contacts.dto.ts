import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination.js';
import type { Scalar } from '../../ingestion/recording/op.types.js';
import type { Consent } from '../contact.entity.js';

export class ContactsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  externalId?: string;
}

export interface ContactView {
  id: string;
  externalId: string | null;
  email: string | null;
  name: string | null;
  attributes: Record<string, Scalar>;
  consent: Consent | null;
  createdAt: string;
  updatedAt: string;
}

export interface ContactEventView {
  id: string;
  type: string;
  properties: Record<string, Scalar>;
  occurredAt: string;
  receivedAt: string;
  messageId: string | null;
  source: string;
}

export interface ConnectorHealth {
  contacts: number;
  events: number;
  lastActivityAt: string | null;
}

export interface IngestionHealthView {
  connectors: Record<string, ConnectorHealth>;
}
