import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';
import { badRequest, notFound } from '../common/errors.js';
import { PINO_LOGGER } from '../common/logger.js';
import { transactionWithRetry } from '../common/transaction-retry.js';
import { ContactsRepository, lockKey } from '../contacts/contacts.repository.js';
import { ContactsService } from '../contacts/contacts.service.js';
import type { ContactView } from '../contacts/dto/contacts.dto.js';
import { EventsRepository } from '../contacts/events.repository.js';
import { SuppressionsService } from '../contacts/suppressions.service.js';
import { JourneyRunsRepository } from '../journeys/journey-runs.repository.js';
import { MessagesRepository } from '../journeys/messages.repository.js';
import { ProviderCustomersRepository } from '../webhooks/provider-customers.repository.js';
import type { ExportedMessageView } from './dto/export.dto.js';
import { messageView, runView } from '../journeys/views.js';

/** Rows an export reads per statement: memory stays flat whatever the contact holds. */
export const EXPORT_PAGE_SIZE = 500;

/** Where a streamed export writes: one chunk at a time, waiting while the client is slower. */
export type ExportSink = (chunk: string) => Promise<void>;

/**
 * Erase, merge and export (docs/data-rights.md): each spans tables that several modules own, so
 * each goes through those modules' repositories, erase and merge in one transaction.
 *
 * Both writers take what the event recorder takes, in its order: the advisory locks of every
 * identity the contacts are known by (their external ids, emails and aliases), then row locks.
 * Runs are locked before their contacts, as the step runner does. The contact rows go in id
 * order. A request recording for a contact that is merged away or erased while it runs either
 * commits first (and its rows are moved or erased with the rest), or waits on these locks and
 * is then resolved anew (see ContactsRepository.upsert and transactionWithRetry).
 */
@Injectable()
export class DataRightsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    private readonly contactsService: ContactsService,
    private readonly contacts: ContactsRepository,
    private readonly events: EventsRepository,
    private readonly suppressions: SuppressionsService,
    private readonly runs: JourneyRunsRepository,
    private readonly messages: MessagesRepository,
    private readonly customers: ProviderCustomersRepository,
  ) {}

  /** Locks every identity of these contacts, then their runs, then the contact rows; answers the ids of those that exist. */
  private async lockContacts(em: EntityManager, tenantId: string, contactIds: string[]): Promise<{ found: Set<string>; emails: Map<string, string[]> }> {
    const emails = new Map<string, string[]>();
    const keys: bigint[] = [];
    for (const id of contactIds) {
      const identities = await this.contacts.identitiesOf(em, tenantId, id);
      for (const i of identities) keys.push(lockKey(tenantId, i.kind, i.value));
      emails.set(id, identities.filter((i) => i.kind === 'email').map((i) => i.value));
    }
    await this.contacts.lockKeys(em, keys);
    await this.runs.lockOfContacts(em, tenantId, contactIds);
    const locked = await this.contacts.lockForChange(em, tenantId, contactIds);
    return { found: new Set(locked.map((c) => c.id)), emails };
  }

  /** Erases the contact and what is tied to it; its addresses join the suppression list (docs/data-rights.md#erase). */
  async erase(tenantId: string, contactId: string): Promise<void> {
    await this.contactsService.require(tenantId, contactId);
    await transactionWithRetry(this.dataSource, this.logger, 'erasing a contact', async (em) => {
      const { found, emails } = await this.lockContacts(em, tenantId, [contactId]);
      if (!found.has(contactId)) throw notFound('contact');
      // An identity added between the read and the locks is read again under them.
      const known = await this.contacts.identitiesOf(em, tenantId, contactId);
      const addresses = [...new Set([...(emails.get(contactId) ?? []), ...known.filter((i) => i.kind === 'email').map((i) => i.value)])];
      await this.contacts.uncount(em, tenantId, contactId, true);
      await this.messages.eraseOfContact(em, tenantId, contactId);
      await this.runs.removeOfContact(em, tenantId, contactId);
      await this.events.removeOfContact(em, tenantId, contactId);
      await this.customers.removeOfContact(em, tenantId, contactId);
      await this.contacts.remove(em, tenantId, contactId);
      await this.suppressions.suppress(em, tenantId, addresses, 'erased');
    });
  }

  /** Merges `fromId` into `contactId`, which survives (docs/data-rights.md#merge-and-aliases). */
  async merge(tenantId: string, contactId: string, fromId: string): Promise<ContactView> {
    if (fromId.toLowerCase() === contactId) throw badRequest('from: must be another contact than the one in the path');
    await this.contactsService.require(tenantId, contactId);
    await transactionWithRetry(this.dataSource, this.logger, 'merging contacts', async (em) => {
      const { found } = await this.lockContacts(em, tenantId, [contactId, fromId]);
      if (!found.has(contactId)) throw notFound('contact');
      if (!found.has(fromId)) throw notFound('from: contact');
      const at = new Date();
      await this.contacts.absorb(em, tenantId, contactId, fromId, at);
      await this.events.moveContact(em, tenantId, fromId, contactId);
      await this.customers.moveContact(em, tenantId, fromId, contactId);
      await this.runs.moveContact(em, tenantId, fromId, contactId);
      await this.messages.moveContact(em, tenantId, fromId, contactId);
      await this.contacts.uncount(em, tenantId, fromId, false);
      await this.contacts.remove(em, tenantId, fromId);
    });
    return this.contactsService.get(tenantId, contactId);
  }

  /** Checks that the contact exists (before a streamed export starts: afterwards no error envelope can be sent). */
  async requireContact(tenantId: string, contactId: string): Promise<ContactView> {
    return this.contactsService.get(tenantId, contactId);
  }

  /**
   * Writes `{contact, events, runs, messages}` to `sink` (docs/data-rights.md#export), reading
   * EXPORT_PAGE_SIZE rows at a time by keyset, so a contact with 100,000 events never has them
   * all in memory at once.
   */
  async export(tenantId: string, contact: ContactView, sink: ExportSink): Promise<void> {
    const contactId = contact.id;
    await sink(`{"contact":${JSON.stringify(contact)},"events":`);
    await this.array(sink, (after) => this.events.pageOfContact(tenantId, contactId, after, EXPORT_PAGE_SIZE), (e) => ({
      key: { at: e.occurredAt, id: e.id },
      view: this.contactsService.eventView(e),
    }));
    await sink(',"runs":');
    await this.array(sink, (after) => this.runs.pageOfContact(tenantId, contactId, after, EXPORT_PAGE_SIZE), (r) => ({
      key: { at: r.createdAt, id: r.id },
      view: runView(r),
    }));
    await sink(',"messages":');
    await this.array(sink, (after) => this.messages.pageOfContact(tenantId, contactId, after, EXPORT_PAGE_SIZE), (m) => ({
      key: { at: m.createdAt, id: m.id },
      view: { ...messageView(m), text: m.text } satisfies ExportedMessageView,
    }));
    await sink('}');
  }

  /** One JSON array, page by page. */
  private async array<R>(
    sink: ExportSink,
    page: (after: { at: Date; id: string } | null) => Promise<R[]>,
    map: (row: R) => { key: { at: Date; id: string }; view: unknown },
  ): Promise<void> {
    await sink('[');
    let after: { at: Date; id: string } | null = null;
    let first = true;
    for (;;) {
      const rows = await page(after);
      if (rows.length === 0) break;
      const chunk: string[] = [];
      for (const row of rows) {
        const { key, view } = map(row);
        chunk.push(JSON.stringify(view));
        after = key;
      }
      await sink((first ? '' : ',') + chunk.join(','));
      first = false;
      if (rows.length < EXPORT_PAGE_SIZE) break;
    }
    await sink(']');
  }
}
