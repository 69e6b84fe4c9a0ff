import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';
import { NAME_MAX_LENGTH, RATE_LIMIT_MAX, SECRET_MAX_LENGTH } from '../../common/limits.js';
import { PageOf } from '../../common/openapi.js';
import { PathUuid } from '../../common/path-params.js';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class CreateTenantDto {
  @ApiProperty({ minLength: 1, maxLength: NAME_MAX_LENGTH, description: 'Display name (trimmed).', example: 'Acme' })
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(NAME_MAX_LENGTH)
  name: string;
}

export class SetWebhookSecretDto {
  @ApiProperty({ minLength: 1, maxLength: SECRET_MAX_LENGTH, description: 'Stored encrypted; never shown again.', example: 'whsec_...' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(SECRET_MAX_LENGTH)
  secret: string;
}

const RATE = { type: 'integer', minimum: 1, maximum: RATE_LIMIT_MAX } as const;

export class SetRateLimitDto {
  @ApiProperty({ ...RATE, description: 'Refill rate of the bucket.', example: 600 })
  @IsInt()
  @Min(1)
  @Max(RATE_LIMIT_MAX)
  requestsPerHour: number;

  @ApiProperty({ ...RATE, description: 'Capacity of the bucket.', example: 600 })
  @IsInt()
  @Min(1)
  @Max(RATE_LIMIT_MAX)
  burst: number;
}

export const WEBHOOK_PROVIDERS = ['stripe', 'polar', 'clerk'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

/** `{tenantId}` in a path: a malformed one answers 404 `tenant not found`, like an unknown one. */
export class TenantParams {
  @PathUuid('tenant', 'The tenant id (from `POST /admin/tenants`).')
  tenantId: string;
}

export class WebhookProviderParams extends TenantParams {
  @ApiProperty({ enum: WEBHOOK_PROVIDERS, enumName: 'WebhookProvider' })
  @IsIn(WEBHOOK_PROVIDERS as unknown as string[], { message: '$property must be one of stripe, polar, clerk' })
  provider: WebhookProvider;
}

const ISO = { type: 'string', format: 'date-time' } as const;

export class TenantView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Acme' })
  name: string;

  @ApiProperty(ISO)
  createdAt: string;

  @ApiProperty({
    format: 'uri',
    description: 'The Events API URL of this tenant (MARA_EVENTS_URL).',
    example: 'https://mara.example.com/api/tenants/3f0c2a9e-8d7b-4c1e-9a55-2b1f0e6d4c3a/events',
  })
  eventsUrl: string;
}

export class TenantPage extends PageOf(TenantView) {}

export class IngestionKeyView {
  @ApiProperty({ description: 'The raw key: shown by this response only, never again.', example: 'mara_ing_3xAmPlE...' })
  key: string;

  @ApiProperty({ example: 'mara_ing_3xAmPlE1' })
  keyPrefix: string;

  @ApiProperty(ISO)
  createdAt: string;
}

export class IngestionKeyStatusView {
  @ApiProperty()
  configured: boolean;

  @ApiProperty({ type: 'string', nullable: true, example: 'mara_ing_3xAmPlE1' })
  keyPrefix: string | null;

  @ApiProperty({ ...ISO, nullable: true })
  createdAt: string | null;
}

export class WebhookEndpointView {
  @ApiProperty({ format: 'uri', example: 'https://mara.example.com/api/webhooks/stripe/3f0c2a9e-8d7b-4c1e-9a55-2b1f0e6d4c3a' })
  webhookUrl: string;

  @ApiProperty()
  secretConfigured: boolean;
}

export class WebhooksView implements Record<WebhookProvider, WebhookEndpointView> {
  @ApiProperty()
  stripe: WebhookEndpointView;

  @ApiProperty()
  polar: WebhookEndpointView;

  @ApiProperty()
  clerk: WebhookEndpointView;
}

export class RateLimitView {
  @ApiProperty({ type: 'integer', example: 600 })
  requestsPerHour: number;

  @ApiProperty({ type: 'integer', example: 600 })
  burst: number;
}

/** The Integrations settings row. */
export class IntegrationsView {
  @ApiProperty({ format: 'uri' })
  eventsUrl: string;

  @ApiProperty()
  ingestionKey: IngestionKeyStatusView;

  @ApiProperty({ type: 'string', nullable: true, example: 'user.signed_up' })
  signupEventType: string | null;

  @ApiProperty()
  webhooks: WebhooksView;

  @ApiProperty({ description: 'Whether a Clerk Backend API key (for the user import) is stored; the key is never shown.' })
  clerkBackendApiKeyConfigured: boolean;

  @ApiProperty()
  rateLimit: RateLimitView;
}
