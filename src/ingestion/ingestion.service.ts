import { Injectable } from '@nestjs/common';
import type { EventsApiResponse, OpResultView } from './dto/events-response.dto.js';
import type { IntakeAnswer, SegmentAnswer, UsermavenAnswer } from './dto/formats.dto.js';
import type { MappedRequest } from './formats/format-mapper.js';
import { mapIntake } from './formats/intake.mapper.js';
import { mapSegment } from './formats/segment.mapper.js';
import { mapUsermaven } from './formats/usermaven.mapper.js';
import { prepareOps } from './prepare-ops.js';
import { capWarnings } from './sanitize.js';
import { EventRecorder } from './recording/event-recorder.service.js';
import type { Connector, OpResult, PreparedOp } from '../common/vocabulary.js';

/** Entry points of every intake format; all of them end in the one EventRecorder. */
@Injectable()
export class IngestionService {
  constructor(private readonly recorder: EventRecorder) {}

  async eventsApi(tenantId: string, ops: PreparedOp[], backfill = false): Promise<EventsApiResponse> {
    const results = await this.recorder.record(tenantId, 'events_api', ops, { backfill });
    // Most requests carry no warning at all: then there is nothing to cap.
    const shown = results.some((r) => r.warnings?.length) ? capWarnings(results.map((r) => r.warnings ?? [])) : null;
    return {
      ok: true,
      results: results.map((r, index) => {
        const view: OpResultView = { index, type: ops[index].type, status: r.status, contactId: r.contactId };
        if (r.eventId !== undefined) view.eventId = r.eventId;
        if (shown?.[index].length) view.warnings = shown[index];
        return view;
      }),
    };
  }

  /** Validates and sanitizes a mapped request with the Events API's rules, then records it. */
  private recordMapped(
    tenantId: string,
    connector: Connector,
    mapped: MappedRequest,
    receivedAt: Date,
    backfill: boolean,
  ): Promise<OpResult[]> {
    const ops = prepareOps(mapped.ops.map((m) => ({ op: m.op, path: m.path ?? '', fields: m.fields })));
    return this.recorder.record(tenantId, connector, ops, { receivedAt, backfill });
  }

  async usermaven(tenantId: string, body: unknown, backfill = false): Promise<UsermavenAnswer> {
    await this.recordMapped(tenantId, 'usermaven', mapUsermaven(body), new Date(), backfill);
    return { status: 'ok' };
  }

  async intake(tenantId: string, body: unknown, backfill = false): Promise<IntakeAnswer> {
    const receivedAt = new Date();
    const [result] = await this.recordMapped(tenantId, 'intake', mapIntake(body), receivedAt, backfill);
    const answer: IntakeAnswer = {
      status: result.status === 'skipped_no_identity' ? 'skipped_no_identity' : 'ok',
      event_id: result.eventId ?? null,
      received_at: receivedAt.toISOString(),
    };
    if (result.status === 'duplicate') answer.deduplicated = true;
    return answer;
  }

  async segment(tenantId: string, body: unknown, kind: 'batch' | 'track' | 'identify', backfill = false): Promise<SegmentAnswer> {
    const receivedAt = new Date();
    await this.recordMapped(tenantId, 'segment', mapSegment(body, kind, receivedAt), receivedAt, backfill);
    return { success: true };
  }
}
