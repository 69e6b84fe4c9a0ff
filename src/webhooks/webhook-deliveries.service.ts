import { Inject, Injectable } from '@nestjs/common';
import { AppError, notFound } from '../common/errors.js';
import type { Page } from '../common/pagination.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { WebhookProvider } from '../tenants/dto/tenant.dto.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { WebhookProviderName } from './adapters/webhook-adapter.js';
import { openPayload } from './delivery-payload.js';
import type { WebhookDeliveriesQueryDto, WebhookDeliveryDetailView, WebhookDeliveryView, WebhookReplayView } from './dto/webhook.dto.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import type { DeliveryStatus, WebhookDelivery } from './webhook.entities.js';
import { WebhooksService } from './webhooks.service.js';

/** The admin side of the delivery log: list, detail with the decrypted payload, replay. */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly webhooks: WebhooksService,
    private readonly tenants: TenantsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(tenantId: string, query: WebhookDeliveriesQueryDto): Promise<Page<WebhookDeliveryView>> {
    await this.tenants.require(tenantId);
    return this.deliveries.list(tenantId, { provider: query.provider, status: query.status }, query).then((page) => ({
      items: page.items.map((d) => this.view(d)),
      nextCursor: page.nextCursor,
    }));
  }

  async get(tenantId: string, deliveryId: string): Promise<WebhookDeliveryDetailView> {
    const row = await this.require(tenantId, deliveryId);
    const raw = this.raw(row);
    return { ...this.view(row), payload: raw === null ? null : (JSON.parse(raw) as Record<string, unknown>) };
  }

  /** Runs the current mapping on the stored payload; see WebhooksService.replay. */
  async replay(tenantId: string, deliveryId: string): Promise<WebhookReplayView> {
    const row = await this.require(tenantId, deliveryId);
    const raw = this.raw(row);
    if (raw === null) throw new AppError('conflict', 'webhook delivery: received before the delivery log kept payloads; nothing to replay');
    const answer = await this.webhooks.replay({
      tenantId,
      provider: row.provider as WebhookProviderName,
      deliveryId: row.deliveryId,
      // Verified and parsed on arrival; the same JSON.parse gives the mapping the same object.
      payload: JSON.parse(raw) as Record<string, unknown>,
      raw,
    });
    return answer.status === 'ok' ? answer : { status: answer.status, eventType: null, contactId: null };
  }

  private async require(tenantId: string, deliveryId: string): Promise<WebhookDelivery> {
    await this.tenants.require(tenantId);
    const row = await this.deliveries.find(tenantId, deliveryId);
    if (!row) throw notFound('webhook delivery');
    return row;
  }

  private raw(row: WebhookDelivery): string | null {
    return row.payload ? openPayload(this.config.secretsKey, row.tenantId, row.id, row.payload) : null;
  }

  private view(d: WebhookDelivery): WebhookDeliveryView {
    return {
      id: d.id,
      provider: d.provider as WebhookProvider,
      providerEventId: d.deliveryId,
      type: d.providerEventType,
      status: d.status as DeliveryStatus,
      eventType: d.eventType,
      contactId: d.contactId,
      error: d.error,
      attempts: d.attempts,
      receivedAt: d.receivedAt.toISOString(),
    };
  }
}
