import { Injectable, PipeTransform } from '@nestjs/common';
import { stringifiedBytesBound } from '../common/json-body.js';
import { eventsApiItems, prepareOps } from './prepare-ops.js';
import type { PreparedOp } from '../common/vocabulary.js';

/** Validates an Events API body (one op or a batch) and sanitizes its traits and properties. */
@Injectable()
export class EventsApiPipe implements PipeTransform<unknown, PreparedOp[]> {
  transform(body: unknown): PreparedOp[] {
    // The ops are values of the parsed body: none stringifies longer than its bound.
    return prepareOps(eventsApiItems(body), { opBytesBound: stringifiedBytesBound(body) });
  }
}
