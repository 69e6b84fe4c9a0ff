import { CreateTenants1763840000000 } from './1763840000000-CreateTenants.js';
import { CreateContactsAndEvents1763840100000 } from './1763840100000-CreateContactsAndEvents.js';
import { CreateWebhooks1763840200000 } from './1763840200000-CreateWebhooks.js';
import { CreateJourneys1763840300000 } from './1763840300000-CreateJourneys.js';
import { MillisecondCreatedAt1763840400000 } from './1763840400000-MillisecondCreatedAt.js';
import { DeliveryRetries1763840500000 } from './1763840500000-DeliveryRetries.js';
import { DurableClerkImports1763840600000 } from './1763840600000-DurableClerkImports.js';
import { CreateDashboardSessions1763849000000 } from './1763849000000-CreateDashboardSessions.js';
import { WebhookDeliveryLog1763849100000 } from './1763849100000-WebhookDeliveryLog.js';
import { DataRights1796133363140 } from './1796133363140-DataRights.js';
import { JourneyLifecycleLogic1796133404733 } from './1796133404733-JourneyLifecycleLogic.js';
import { IngestionCounters1796133454099 } from './1796133454099-IngestionCounters.js';
import { ContactActivityIndexes1796133595791 } from './1796133595791-ContactActivityIndexes.js';
import { PartialOnceIndex1796143848707 } from './1796143848707-PartialOnceIndex.js';
import { RunsWithoutForeignKeys1796144639657 } from './1796144639657-RunsWithoutForeignKeys.js';
import { DropRunsEventIndex1796147440390 } from './1796147440390-DropRunsEventIndex.js';
import { DropEventsSourceIndex1796157059906 } from './1796157059906-DropEventsSourceIndex.js';
import { CompiledTriggerConditions1796168509294 } from './1796168509294-CompiledTriggerConditions.js';
import { CheapConditionsFirst1796194550189 } from './1796194550189-CheapConditionsFirst.js';

/** Every migration in order. Listed explicitly (no glob), so ts-jest and the built app agree. */
export const MIGRATIONS = [
  CreateTenants1763840000000,
  CreateContactsAndEvents1763840100000,
  CreateWebhooks1763840200000,
  CreateJourneys1763840300000,
  MillisecondCreatedAt1763840400000,
  DeliveryRetries1763840500000,
  DurableClerkImports1763840600000,
  CreateDashboardSessions1763849000000,
  WebhookDeliveryLog1763849100000,
  DataRights1796133363140,
  JourneyLifecycleLogic1796133404733,
  IngestionCounters1796133454099,
  ContactActivityIndexes1796133595791,
  PartialOnceIndex1796143848707,
  RunsWithoutForeignKeys1796144639657,
  DropRunsEventIndex1796147440390,
  DropEventsSourceIndex1796157059906,
  CompiledTriggerConditions1796168509294,
  CheapConditionsFirst1796194550189,
];
