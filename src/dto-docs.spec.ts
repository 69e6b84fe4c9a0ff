/**
 * Each request DTO is one class carrying both its validation and its OpenAPI schema. This checks
 * that the two say the same thing: every validated field is documented, and every limit the
 * validator enforces is the one the document shows (and the other way round).
 */
import 'reflect-metadata';
import { getMetadataStorage } from 'class-validator';
import { SignInDto } from './dashboard/dto/session.dto.js';
import { ContactsQueryDto } from './contacts/dto/contacts.dto.js';
import { IdentifyOp, TrackOp } from './ingestion/dto/events-op.dto.js';
import {
  BranchStep,
  CreateJourneyDto,
  FieldCondition,
  PerformedCondition,
  PreviewDto,
  SendEmailStep,
  UpdateContactStep,
  SetSignupEventDto,
  TriggerDto,
  UpdateJourneyDto,
  WaitStep,
} from './journeys/dto/journey.dto.js';
import { CreateTenantDto, SetRateLimitDto, SetWebhookSecretDto, WebhookProviderParams } from './tenants/dto/tenant.dto.js';
import { PageQueryDto } from './common/pagination.js';

const REQUEST_DTOS: Array<new () => object> = [
  IdentifyOp,
  TrackOp,
  CreateTenantDto,
  SetWebhookSecretDto,
  SetRateLimitDto,
  WebhookProviderParams,
  ContactsQueryDto,
  PageQueryDto,
  CreateJourneyDto,
  UpdateJourneyDto,
  TriggerDto,
  WaitStep,
  SendEmailStep,
  SetSignupEventDto,
  SignInDto,
  BranchStep,
  UpdateContactStep,
  FieldCondition,
  PerformedCondition,
  PreviewDto,
];

type Doc = Record<string, unknown>;
type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

/** The OpenAPI facts a validator implies, by constraint name. */
function implied(rules: ValidationMetadata[]): Doc {
  const out: Doc = {};
  const docKey: Record<string, string> = {
    maxLength: 'maxLength',
    min: 'minimum',
    max: 'maximum',
    arrayMaxSize: 'maxItems',
    arrayMinSize: 'minItems',
    matches: 'pattern',
  };
  for (const rule of rules) {
    const key = rule.name === undefined ? undefined : docKey[rule.name];
    if (!key) continue;
    const [value] = (rule.constraints ?? []) as unknown[];
    out[key] = value instanceof RegExp ? value.source : value;
  }
  return out;
}

describe('request DTOs: validation and OpenAPI on one class', () => {
  const storage = getMetadataStorage();

  it.each(REQUEST_DTOS.map((dto) => [dto.name, dto] as const))('%s documents exactly the limits it validates', (_, dto) => {
    const rules = storage.getTargetValidationMetadatas(dto, '', false, false);
    const byProperty = storage.groupByPropertyName(rules);
    const mismatches: string[] = [];
    for (const [property, propertyRules] of Object.entries(byProperty)) {
      const doc = Reflect.getMetadata('swagger/apiModelProperties', dto.prototype, property) as Doc | undefined;
      // `type` of OpBase and StepBase is refused for unknown values only; each subclass documents its own.
      if (!doc) {
        if (property !== 'type') mismatches.push(`${property}: validated but not documented`);
        continue;
      }
      // A rule on each item of an array (`{each: true}`) is documented on its `items`.
      const itemRules = propertyRules.filter((r) => r.each);
      const itemDoc = (doc.items ?? {}) as Doc;
      for (const [key, value] of Object.entries(implied(itemRules))) {
        if (itemDoc[key] !== value) mismatches.push(`${property}.items.${key}: validator ${String(value)}, document ${String(itemDoc[key])}`);
      }
      const expected = implied(propertyRules.filter((r) => !r.each));
      for (const key of ['maxLength', 'minimum', 'maximum', 'pattern', 'maxItems', 'minItems'] as const) {
        if (expected[key] !== undefined && doc[key] !== expected[key]) {
          mismatches.push(`${property}.${key}: validator ${String(expected[key])}, document ${String(doc[key])}`);
        }
        if (expected[key] === undefined && doc[key] !== undefined && key !== 'minimum' && key !== 'minItems') {
          mismatches.push(`${property}.${key}: documented ${String(doc[key])} but not validated`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
