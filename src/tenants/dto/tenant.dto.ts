import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsString, Max, MaxLength, Min } from 'class-validator';

const trim = ({ value }: { value: unknown }): unknown => (typeof value === 'string' ? value.trim() : value);

export class CreateTenantDto {
  @Transform(trim)
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name: string;
}

export class SetWebhookSecretDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(1000)
  secret: string;
}

export class SetRateLimitDto {
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  requestsPerHour: number;

  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  burst: number;
}

export const WEBHOOK_PROVIDERS = ['stripe', 'polar', 'clerk'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export class WebhookProviderParams {
  @IsString()
  tenantId: string;

  @IsIn(WEBHOOK_PROVIDERS as unknown as string[], { message: '$property must be one of stripe, polar, clerk' })
  provider: WebhookProvider;
}

export interface TenantView {
  id: string;
  name: string;
  createdAt: string;
  eventsUrl: string;
}

export interface IngestionKeyView {
  key: string;
  keyPrefix: string;
  createdAt: string;
}

export interface IntegrationsView {
  eventsUrl: string;
  ingestionKey: { configured: boolean; keyPrefix: string | null; createdAt: string | null };
  signupEventType: string | null;
  webhooks: Record<WebhookProvider, { webhookUrl: string; secretConfigured: boolean }>;
  rateLimit: { requestsPerHour: number; burst: number };
}
