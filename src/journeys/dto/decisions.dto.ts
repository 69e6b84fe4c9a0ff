import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PathUuid } from '../../common/path-params.js';
import { TenantParams } from '../../tenants/dto/tenant.dto.js';
import { FieldCondition } from './journey.dto.js';

export class EventParams extends TenantParams {
  @PathUuid('event')
  eventId: string;
}

/** docs/journeys.md#why-not: the first of these that applies wins, in this order. */
export const DECISIONS = ['enrolled', 'backfill', 'not_active', 'too_old', 'filtered', 'reentry_once'] as const;
export type Decision = (typeof DECISIONS)[number];

/** What one journey decided about one event, and why. */
export class JourneyDecision {
  @ApiProperty({ format: 'uuid' })
  journeyId: string;

  @ApiProperty({ example: 'Trial nudge' })
  name: string;

  @ApiProperty({
    enum: DECISIONS,
    enumName: 'JourneyDecisionKind',
    description:
      '`enrolled`: this event started a run (`runId`); `backfill`: recorded in backfill mode; `not_active`: the journey ' +
      'is not active now (or was not when the event arrived) and this event started no run; `too_old`: older than ' +
      '`maxEventAgeSeconds` on arrival; `filtered`: `condition` is the first `where` condition that does not hold (on the ' +
      'event and the contact as it is now); `reentry_once`: the contact already had a run (`runId`). The first that ' +
      'applies wins, in that order.',
  })
  decision: Decision;

  @ApiPropertyOptional({ format: 'uuid', description: 'With `enrolled`: the run it started; with `reentry_once`: the earlier run.' })
  runId?: string;

  @ApiPropertyOptional({ type: FieldCondition, description: 'With `filtered`: the first condition that did not hold.' })
  condition?: FieldCondition;
}

export class JourneyDecisionList {
  @ApiProperty({ type: [JourneyDecision], description: "One per journey whose trigger's eventType is the event's type." })
  items: JourneyDecision[];
}
