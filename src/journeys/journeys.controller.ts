import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { ApiErrorAs, ApiErrors, JSON_BODY_ERRORS } from '../common/openapi.js';
import { PageQueryDto } from '../common/pagination.js';
import { TenantParams } from '../tenants/dto/tenant.dto.js';
import { BranchStepRecord, RunPage, RunView, SendEmailStepRecord, UpdateContactStepRecord, WaitStepRecord } from './dto/activity.dto.js';
import { EventParams, JourneyDecisionList } from './dto/decisions.dto.js';
import {
  BranchStep,
  CreateJourneyDto,
  FieldCondition,
  PerformedCondition,
  PreviewDto,
  PreviewView,
  RunParams,
  UpdateContactStep,
  JourneyPage,
  JourneyParams,
  JourneyView,
  SendEmailStep,
  SetSignupEventDto,
  SignupEventView,
  UpdateJourneyDto,
  WaitStep,
} from './dto/journey.dto.js';
import { JourneyActivity } from './journey-activity.service.js';
import { JourneysService } from './journeys.service.js';


@ApiTags('Journeys')
@ApiExtraModels(
  WaitStep,
  SendEmailStep,
  BranchStep,
  UpdateContactStep,
  FieldCondition,
  PerformedCondition,
  WaitStepRecord,
  SendEmailStepRecord,
  BranchStepRecord,
  UpdateContactStepRecord,
)
@Access('admin')
@Controller('admin/tenants/:tenantId')
export class JourneysController {
  constructor(
    private readonly journeys: JourneysService,
    private readonly activity: JourneyActivity,
  ) {}

  @Put('signup-event')
  @ApiOperation({
    operationId: 'setSignupEvent',
    summary: 'Set the event type that means "a new user signed up"',
    description:
      'Stores the mapping (shown as `signupEventType` in the Integrations settings) and seeds a draft welcome ' +
      'journey triggered by that event type, once per event type: setting the same type again answers the ' +
      'journey seeded before. The draft sends nothing until it is approved.',
  })
  @ApiOkResponse({ type: SignupEventView })
  @ApiErrors(...JSON_BODY_ERRORS, 404)
  setSignupEvent(@Param() { tenantId }: TenantParams, @Body() body: SetSignupEventDto): Promise<SignupEventView> {
    return this.journeys.setSignupEvent(tenantId, body.eventType);
  }

  @Get('journeys')
  @ApiOperation({ operationId: 'listJourneys', summary: 'List journeys, oldest first' })
  @ApiOkResponse({ type: JourneyPage })
  @ApiErrors(400, 404)
  list(@Param() { tenantId }: TenantParams, @Query() query: PageQueryDto): Promise<JourneyPage> {
    return this.journeys.list(tenantId, query);
  }

  @Post('journeys')
  @ApiOperation({
    operationId: 'createJourney',
    summary: 'Create a journey (a draft)',
    description: 'A new journey is a `draft`: it starts no runs until it is approved. `reentry` defaults to `once`.',
  })
  @ApiCreatedResponse({ type: JourneyView })
  @ApiErrors(...JSON_BODY_ERRORS, 404)
  create(@Param() { tenantId }: TenantParams, @Body() body: CreateJourneyDto): Promise<JourneyView> {
    return this.journeys.create(tenantId, body);
  }

  @Get('journeys/:journeyId')
  @ApiOperation({ operationId: 'getJourney', summary: 'Get a journey' })
  @ApiOkResponse({ type: JourneyView })
  @ApiErrors(404)
  get(@Param() { tenantId, journeyId }: JourneyParams): Promise<JourneyView> {
    return this.journeys.get(tenantId, journeyId);
  }

  @Patch('journeys/:journeyId')
  @ApiOperation({
    operationId: 'updateJourney',
    summary: 'Edit a draft or paused journey',
    description:
      'Changes only the fields sent. An `active` journey is not edited in place: pause it first (409 otherwise), ' +
      'so what runs is always what was approved.',
  })
  @ApiOkResponse({ type: JourneyView })
  @ApiErrors(...JSON_BODY_ERRORS, 404)
  @ApiErrorAs('conflict', {
    meaning: 'the journey is active (pause it first), or its status changed during the edit',
    example: 'status: an active journey cannot be edited; pause it first',
  })
  update(
    @Param() { tenantId, journeyId }: JourneyParams,
    @Body() body: UpdateJourneyDto,
  ): Promise<JourneyView> {
    return this.journeys.update(tenantId, journeyId, body);
  }

  @Post('journeys/:journeyId/approve')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'approveJourney',
    summary: 'Approve a journey: draft or paused → active',
    description: 'Matching events start runs from now on. Approving an active journey answers it unchanged.',
  })
  @ApiOkResponse({ type: JourneyView })
  @ApiErrors(400, 404)
  @ApiErrorAs('conflict', {
    meaning: 'another request changed the journey\'s status meanwhile',
    example: 'status: the journey changed status meanwhile; try again',
  })
  approve(@Param() { tenantId, journeyId }: JourneyParams): Promise<JourneyView> {
    return this.journeys.approve(tenantId, journeyId);
  }

  @Post('journeys/:journeyId/pause')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'pauseJourney',
    summary: 'Pause a journey: active → paused',
    description:
      'No new runs start; runs in flight finish with the steps they started with. Pausing a paused journey ' +
      'answers it unchanged; a draft cannot be paused (409).',
  })
  @ApiOkResponse({ type: JourneyView })
  @ApiErrors(400, 404)
  @ApiErrorAs('conflict', {
    meaning: 'the journey is a draft (it never went live), or its status changed meanwhile',
    example: 'status: a draft journey cannot become paused',
  })
  pause(@Param() { tenantId, journeyId }: JourneyParams): Promise<JourneyView> {
    return this.journeys.pause(tenantId, journeyId);
  }

  @Get('journeys/:journeyId/runs')
  @ApiOperation({ operationId: 'listJourneyRuns', summary: "A journey's runs with their step history, newest first" })
  @ApiOkResponse({ type: RunPage })
  @ApiErrors(400, 404)
  runs(
    @Param() { tenantId, journeyId }: JourneyParams,
    @Query() query: PageQueryDto,
  ): Promise<RunPage> {
    return this.activity.listRuns(tenantId, journeyId, query);
  }

  @Get('journeys/:journeyId/runs/:runId')
  @ApiOperation({
    operationId: 'getJourneyRun',
    summary: 'One run: its trigger, every step record (with branch outcomes), and its exit reason',
  })
  @ApiOkResponse({ type: RunView })
  @ApiErrors(404)
  run(@Param() { tenantId, journeyId, runId }: RunParams): Promise<RunView> {
    return this.activity.getRun(tenantId, journeyId, runId);
  }

  @Post('journeys/:journeyId/preview')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'previewJourneyEmail',
    summary: 'Render a send_email step for a contact (nothing is sent or stored)',
    description:
      '`path` names the step as run records do (`"0"`, `"2.then.0"`); `eventProperties` stand in for the triggering ' +
      "event's properties. A path that is not a send_email step is a 400; an unknown contact a 404.",
  })
  @ApiOkResponse({ type: PreviewView })
  @ApiErrors(...JSON_BODY_ERRORS, 404)
  preview(@Param() { tenantId, journeyId }: JourneyParams, @Body() body: PreviewDto): Promise<PreviewView> {
    return this.journeys.preview(tenantId, journeyId, body);
  }

  @Get('events/:eventId/journeys')
  @ApiOperation({
    operationId: 'explainEventJourneys',
    summary: 'Why (not): what each journey triggered by this event type decided about the event',
    description:
      'Computed from what is stored when asked (recording an event writes no decision rows): `enrolled`, `backfill`, ' +
      '`not_active`, `too_old`, `filtered` (with the first failing condition, judged on the contact as it is now) or ' +
      '`reentry_once`; the first that applies, in that order (docs/journeys.md#why-not).',
  })
  @ApiOkResponse({ type: JourneyDecisionList })
  @ApiErrors(404)
  explain(@Param() { tenantId, eventId }: EventParams): Promise<JourneyDecisionList> {
    return this.activity.explain(tenantId, eventId);
  }
}
