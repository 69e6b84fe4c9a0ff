import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The answer of an RFC 8058 one-click post. */
export class UnsubscribedView {
  @ApiProperty({ enum: ['unsubscribed'] })
  status: 'unsubscribed';
}

/** What mail clients post (RFC 8058); the body is read and discarded: the token is all it takes. */
export class OneClickForm {
  @ApiPropertyOptional({ name: 'List-Unsubscribe', enum: ['One-Click'] })
  listUnsubscribe?: 'One-Click';
}
