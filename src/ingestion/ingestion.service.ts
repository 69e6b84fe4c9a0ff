import { Injectable } from '@nestjs/common';
import type { EventsApiResponse } from './dto/events-response.dto.js';
import { EventRecorder } from './recording/event-recorder.service.js';
import type { PreparedOp } from './recording/op.types.js';

@Injectable()
export class IngestionService {
  constructor(private readonly recorder: EventRecorder) {}

  async eventsApi(tenantId: string, ops: PreparedOp[]): Promise<EventsApiResponse> {
    const results = await this.recorder.record(tenantId, 'events_api', ops);
    return {
      ok: true,
      results: results.map((r, index) => ({ index, type: ops[index].type, ...r })),
    };
  }
}
