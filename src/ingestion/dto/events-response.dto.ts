import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { OpStatus } from '../../common/vocabulary.js';

export const OP_STATUSES: OpStatus[] = ['ok', 'duplicate', 'skipped_no_identity'];

/** The outcome of one op, at the op's index in the request. */
export class OpResultView {
  @ApiProperty({ type: 'integer', minimum: 0, description: "The op's position in the request." })
  index: number;

  @ApiProperty({ enum: ['identify', 'track'] })
  type: 'identify' | 'track';

  @ApiProperty({
    enum: OP_STATUSES,
    enumName: 'OpStatus',
    description:
      '`ok`: applied. `duplicate`: the `messageId` was processed before (in an earlier request or earlier ' +
      "in this batch); nothing written, the original's `contactId` and `eventId` returned. " +
      '`skipped_no_identity`: the op carried no usable identity; nothing written.',
  })
  status: OpStatus;

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: 'null when skipped.' })
  contactId: string | null;

  @ApiPropertyOptional({ format: 'uuid', description: 'The stored event (track ops that were recorded or duplicates).' })
  eventId?: string;

  @ApiPropertyOptional({
    type: 'string',
    isArray: true,
    description: 'What sanitization dropped or cut, e.g. `traits.password: dropped, secret-looking key`.',
  })
  warnings?: string[];
}

export class EventsApiResponse {
  @ApiProperty({ type: 'boolean', enum: [true] })
  ok: true;

  @ApiProperty({ type: () => OpResultView, isArray: true, description: 'One result per op, in order.' })
  results: OpResultView[];
}
