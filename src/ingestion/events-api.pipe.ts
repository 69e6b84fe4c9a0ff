import { Injectable, PipeTransform } from '@nestjs/common';
import { eventsApiItems, prepareOps } from './prepare-ops.js';
import type { PreparedOp } from '../common/vocabulary.js';

/** Validates an Events API body (one op or a batch) and sanitizes its traits and properties. */
@Injectable()
export class EventsApiPipe implements PipeTransform<unknown, PreparedOp[]> {
  transform(body: unknown): PreparedOp[] {
    return prepareOps(eventsApiItems(body));
  }
}
