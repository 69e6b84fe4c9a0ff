import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { mapPage, type Page, type PageQueryDto } from '../common/pagination.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { JOURNEY_DEFAULT_MAX_EVENT_AGE_SECONDS, JOURNEY_MAX_BRANCH_DEPTH } from '../common/limits.js';
import { ContactsRepository } from '../contacts/contacts.repository.js';
import { bodyPathOf, stepAt } from './conditions.js';
import {
  BranchStep,
  type Condition,
  type CreateJourneyDto,
  FieldCondition,
  type PreviewDto,
  type PreviewView,
  UpdateContactStep,
  type JourneyStatus,
  type JourneyStep,
  type JourneyView,
  type SignupEventView,
  type StepBase,
  type UpdateJourneyDto,
  SendEmailStep,
  WaitStep,
} from './dto/journey.dto.js';
import { JourneyError, JourneyErrorCode } from './journey.errors.js';
import { Journey } from './journey.entity.js';
import { JourneysRepository } from './journeys.repository.js';
import { renderEmail } from './template.js';

/** The welcome draft that the signup-event mapping seeds (docs/journeys.md#the-welcome-draft). */
export const WELCOME_STEPS: JourneyStep[] = [
  {
    type: 'send_email',
    subject: 'Welcome, {{contact.name}}!',
    text: 'Hi {{contact.name}},\n\nWelcome aboard! We are glad you signed up.\n\nReply to this email if there is anything we can help with.',
  },
];

/** Journey definitions: create, edit, approve and pause; and the seeded welcome journey. */
@Injectable()
export class JourneysService {
  constructor(
    private readonly journeys: JourneysRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenants: TenantsService,
    private readonly contacts: ContactsRepository,
  ) {}

  private view(j: Journey): JourneyView {
    return {
      id: j.id,
      name: j.name,
      status: j.status,
      trigger: { type: 'event', eventType: j.triggerEventType, where: j.triggerWhere as FieldCondition[] },
      reentry: j.reentry,
      exitOn: j.exitOn,
      maxEventAgeSeconds: j.maxEventAgeSeconds,
      steps: j.steps,
      createdAt: j.createdAt.toISOString(),
      updatedAt: j.updatedAt.toISOString(),
    };
  }

  async create(tenantId: string, dto: CreateJourneyDto): Promise<JourneyView> {
    await this.tenants.require(tenantId);
    const now = new Date();
    const steps = toSteps(dto.steps);
    const journey = Object.assign(new Journey(), {
      tenantId,
      id: randomUUID(),
      name: dto.name,
      status: 'draft',
      triggerEventType: dto.trigger.eventType,
      triggerWhere: toConditions(dto.trigger.where ?? []),
      reentry: dto.reentry ?? 'once',
      exitOn: dto.exitOn ?? [],
      maxEventAgeSeconds: dto.maxEventAgeSeconds ?? JOURNEY_DEFAULT_MAX_EVENT_AGE_SECONDS,
      steps,
      seedKey: null,
      createdAt: now,
      updatedAt: now,
    });
    await this.journeys.insert(journey);
    return this.view(journey);
  }

  async list(tenantId: string, query: PageQueryDto): Promise<Page<JourneyView>> {
    await this.tenants.require(tenantId);
    return mapPage(await this.journeys.page(tenantId, query), (j) => this.view(j));
  }

  /** The journey, or 404. */
  async require(tenantId: string, journeyId: string): Promise<Journey> {
    await this.tenants.require(tenantId);
    const journey = await this.journeys.findById(tenantId, journeyId);
    if (!journey) throw new JourneyError(JourneyErrorCode.NotFound, 'journey not found');
    return journey;
  }

  async get(tenantId: string, journeyId: string): Promise<JourneyView> {
    return this.view(await this.require(tenantId, journeyId));
  }

  /** Edits a draft or paused journey: what goes live is always what was approved. */
  async update(tenantId: string, journeyId: string, dto: UpdateJourneyDto): Promise<JourneyView> {
    const journey = await this.require(tenantId, journeyId);
    if (journey.status === 'active') {
      throw new JourneyError(JourneyErrorCode.ActiveNotEditable, 'status: an active journey cannot be edited; pause it first');
    }
    if (dto.name !== undefined) journey.name = dto.name;
    if (dto.trigger !== undefined) {
      journey.triggerEventType = dto.trigger.eventType;
      journey.triggerWhere = toConditions(dto.trigger.where ?? []);
    }
    if (dto.reentry !== undefined) journey.reentry = dto.reentry;
    if (dto.exitOn !== undefined) journey.exitOn = dto.exitOn;
    if (dto.maxEventAgeSeconds !== undefined) journey.maxEventAgeSeconds = dto.maxEventAgeSeconds;
    if (dto.steps !== undefined) journey.steps = toSteps(dto.steps);
    journey.updatedAt = new Date();
    // Guarded on the status read above, so a concurrent approve is not overwritten.
    const applied = await this.journeys.updateIfStatus(tenantId, journeyId, journey.status, {
      name: journey.name,
      triggerEventType: journey.triggerEventType,
      triggerWhere: journey.triggerWhere,
      reentry: journey.reentry,
      exitOn: journey.exitOn,
      maxEventAgeSeconds: journey.maxEventAgeSeconds,
      steps: journey.steps,
      updatedAt: journey.updatedAt,
    });
    if (!applied) {
      throw new JourneyError(JourneyErrorCode.ChangedMeanwhile, 'status: the journey changed status during the edit; try again');
    }
    return this.view(journey);
  }

  /**
   * Renders the send_email step at `path` for a contact (docs/journeys.md#preview): nothing is
   * sent or stored. The event is the trigger's type with `eventProperties` as its properties.
   */
  async preview(tenantId: string, journeyId: string, dto: PreviewDto): Promise<PreviewView> {
    const journey = await this.require(tenantId, journeyId);
    const step = stepAt(journey.steps, dto.path);
    if (step?.type !== 'send_email') {
      throw new JourneyError(JourneyErrorCode.NotAnEmailStep, `path: ${dto.path} is not a send_email step of this journey`);
    }
    const contact = await this.contacts.findRecipient(this.dataSource.manager, tenantId, dto.contactId);
    if (!contact) throw new JourneyError(JourneyErrorCode.ContactNotFound, 'contact not found');
    return renderEmail(step, {
      contact: { name: contact.name, email: contact.email, attributes: contact.attributes },
      event: { type: journey.triggerEventType, properties: dto.eventProperties ?? {} },
    });
  }

  /** draft or paused → active. Approving an active journey answers it as it is. */
  approve(tenantId: string, journeyId: string): Promise<JourneyView> {
    return this.transition(tenantId, journeyId, ['draft', 'paused'], 'active');
  }

  /** active → paused: no new runs start; runs in flight finish with the steps they started with. */
  pause(tenantId: string, journeyId: string): Promise<JourneyView> {
    return this.transition(tenantId, journeyId, ['active'], 'paused');
  }

  private async transition(tenantId: string, journeyId: string, from: JourneyStatus[], to: JourneyStatus): Promise<JourneyView> {
    const journey = await this.require(tenantId, journeyId);
    if (journey.status === to) return this.view(journey);
    if (!from.includes(journey.status)) {
      throw new JourneyError(JourneyErrorCode.TransitionNotAllowed, `status: a ${journey.status} journey cannot become ${to}`);
    }
    const updatedAt = new Date();
    // Guarded on the statuses it may leave, so two concurrent transitions cannot both apply.
    const applied = await this.journeys.transition(tenantId, journeyId, from, to, updatedAt);
    if (!applied) {
      throw new JourneyError(JourneyErrorCode.ChangedMeanwhile, 'status: the journey changed status meanwhile; try again');
    }
    journey.status = to;
    journey.updatedAt = updatedAt;
    return this.view(journey);
  }

  /**
   * Stores the signup event type and seeds its welcome draft, in one transaction. Once per event
   * type (JourneysRepository.seedDraft).
   */
  async setSignupEvent(tenantId: string, eventType: string): Promise<SignupEventView> {
    return this.dataSource.transaction(async (em) => {
      await this.tenants.setSignupEventType(tenantId, eventType, em);
      const journeyId = await this.journeys.seedDraft(em, {
        tenantId,
        id: randomUUID(),
        seedKey: `welcome:${eventType}`,
        name: `Welcome (${eventType})`,
        triggerEventType: eventType,
        steps: WELCOME_STEPS,
      });
      return { signupEventType: eventType, journeyId };
    });
  }
}

/** Stores exactly the documented fields of validated conditions. */
function toConditions(conditions: Array<Condition | object>): Condition[] {
  return conditions.map((c) =>
    'performed' in c
      ? { performed: (c as { performed: string }).performed, op: (c as { op: 'exists' | 'not_exists' }).op }
      : (({ field, op, value }: FieldCondition) => (value === undefined ? { field, op } : { field, op, value }))(c as FieldCondition),
  );
}

/**
 * Stores exactly the documented fields of validated steps, nothing a client added; branches
 * deeper than JOURNEY_MAX_BRANCH_DEPTH are a 400 naming the path (docs/journeys.md#steps).
 */
function toSteps(steps: StepBase[], prefix = '', depth = 0): JourneyStep[] {
  return steps.map((step, i) => {
    const path = prefix ? `${prefix}.${i}` : String(i);
    if (step instanceof WaitStep) return { type: 'wait', seconds: step.seconds };
    if (step instanceof SendEmailStep) {
      return {
        type: 'send_email',
        subject: step.subject,
        ...(step.text !== undefined ? { text: step.text } : {}),
        ...(step.html !== undefined ? { html: step.html } : {}),
      };
    }
    if (step instanceof UpdateContactStep) return { type: 'update_contact', attributes: { ...step.attributes } };
    if (step instanceof BranchStep) {
      if (depth + 1 > JOURNEY_MAX_BRANCH_DEPTH) {
        throw new JourneyError(
          JourneyErrorCode.InvalidDefinition,
          `${bodyPathOf(path)}: branches nest at most ${JOURNEY_MAX_BRANCH_DEPTH} deep`,
        );
      }
      return {
        type: 'branch',
        if: toConditions(step.if),
        then: toSteps(step.then, `${path}.then`, depth + 1),
        ...(step.else !== undefined ? { else: toSteps(step.else, `${path}.else`, depth + 1) } : {}),
      };
    }
    throw new Error(`unvalidated step type ${step.type}`);
  });
}
