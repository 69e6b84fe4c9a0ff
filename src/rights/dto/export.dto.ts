import { ApiProperty } from '@nestjs/swagger';
import { ContactEventView, ContactView } from '../../contacts/dto/contacts.dto.js';
import { MessageView, RunView } from '../../journeys/dto/activity.dto.js';

const ISO = { type: 'string', format: 'date-time' } as const;

/** An outbox message as an export shows it: with its body. */
export class ExportedMessageView extends MessageView {
  @ApiProperty({ description: 'The rendered text body.' })
  text: string;
}

/** Everything the tenant holds about one contact (docs/data-rights.md#export). */
export class ContactExportView {
  @ApiProperty({ type: ContactView })
  contact: ContactView;

  @ApiProperty({ type: [ContactEventView], description: 'All its events, oldest first.' })
  events: ContactEventView[];

  @ApiProperty({ type: [RunView], description: 'Its journey runs with their step records, oldest first.' })
  runs: RunView[];

  @ApiProperty({ type: [ExportedMessageView], description: 'The outbox messages sent, captured, blocked or failed for it, oldest first.' })
  messages: ExportedMessageView[];
}
