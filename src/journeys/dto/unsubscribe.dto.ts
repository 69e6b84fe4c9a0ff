import { ApiPropertyOptional } from '@nestjs/swagger';

/** What mail clients post (RFC 8058); the body is read and discarded: the token is all it takes. */
export class OneClickForm {
  @ApiPropertyOptional({ name: 'List-Unsubscribe', enum: ['One-Click'] })
  listUnsubscribe?: 'One-Click';
}
