import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { Access } from '../common/access.decorator.js';
import { type Page, PageQueryDto } from '../common/pagination.js';
import type { MessageView, RunView } from './dto/activity.dto.js';
import {
  CreateJourneyDto,
  type JourneyView,
  SetSignupEventDto,
  type SignupEventView,
  UpdateJourneyDto,
} from './dto/journey.dto.js';
import { JourneyActivity } from './journey-activity.service.js';
import { JourneysService } from './journeys.service.js';

@Access('admin')
@Controller('admin/tenants/:tenantId')
export class JourneysController {
  constructor(
    private readonly journeys: JourneysService,
    private readonly activity: JourneyActivity,
  ) {}

  @Put('signup-event')
  setSignupEvent(@Param('tenantId') tenantId: string, @Body() body: SetSignupEventDto): Promise<SignupEventView> {
    return this.journeys.setSignupEvent(tenantId, body.eventType);
  }

  @Get('journeys')
  list(@Param('tenantId') tenantId: string, @Query() query: PageQueryDto): Promise<Page<JourneyView>> {
    return this.journeys.list(tenantId, query);
  }

  @Post('journeys')
  create(@Param('tenantId') tenantId: string, @Body() body: CreateJourneyDto): Promise<JourneyView> {
    return this.journeys.create(tenantId, body);
  }

  @Get('journeys/:journeyId')
  get(@Param('tenantId') tenantId: string, @Param('journeyId') journeyId: string): Promise<JourneyView> {
    return this.journeys.get(tenantId, journeyId);
  }

  @Patch('journeys/:journeyId')
  update(
    @Param('tenantId') tenantId: string,
    @Param('journeyId') journeyId: string,
    @Body() body: UpdateJourneyDto,
  ): Promise<JourneyView> {
    return this.journeys.update(tenantId, journeyId, body);
  }

  @Post('journeys/:journeyId/approve')
  @HttpCode(200)
  approve(@Param('tenantId') tenantId: string, @Param('journeyId') journeyId: string): Promise<JourneyView> {
    return this.journeys.approve(tenantId, journeyId);
  }

  @Post('journeys/:journeyId/pause')
  @HttpCode(200)
  pause(@Param('tenantId') tenantId: string, @Param('journeyId') journeyId: string): Promise<JourneyView> {
    return this.journeys.pause(tenantId, journeyId);
  }

  @Get('journeys/:journeyId/runs')
  runs(
    @Param('tenantId') tenantId: string,
    @Param('journeyId') journeyId: string,
    @Query() query: PageQueryDto,
  ): Promise<Page<RunView>> {
    return this.activity.listRuns(tenantId, journeyId, query);
  }

  @Get('messages')
  messages(@Param('tenantId') tenantId: string, @Query() query: PageQueryDto): Promise<Page<MessageView>> {
    return this.activity.listMessages(tenantId, query);
  }
}
