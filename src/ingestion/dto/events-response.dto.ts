import type { OpStatus } from '../recording/op.types.js';

export interface OpResultView {
  index: number;
  type: 'identify' | 'track';
  status: OpStatus;
  contactId: string | null;
  eventId?: string;
  warnings?: string[];
}

export interface EventsApiResponse {
  ok: true;
  results: OpResultView[];
}
