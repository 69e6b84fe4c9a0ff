import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { Access } from '../common/access.decorator.js';
import { PINO_LOGGER } from '../common/logger.js';
import { ApiErrors, JSON_BODY_ERRORS } from '../common/openapi.js';
import { ContactParams, ContactView } from '../contacts/dto/contacts.dto.js';
import { MergeContactDto } from '../contacts/dto/data-rights.dto.js';
import { DataRightsService } from './data-rights.service.js';
import { ContactExportView } from './dto/export.dto.js';

/** Erase, merge and export one contact (docs/data-rights.md). */
@ApiTags('Data rights')
@Access('admin')
@Controller('admin/tenants/:tenantId/contacts/:contactId')
export class DataRightsController {
  constructor(
    private readonly rights: DataRightsService,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    operationId: 'eraseContact',
    summary: 'Erase a contact (GDPR Art. 17)',
    description:
      'In one transaction: the contact, its events, connector links, provider-customer links and journey runs are ' +
      'deleted; its outbox messages keep their rows with address, subject and body replaced by `erased`; its addresses ' +
      'join the suppression list (as hashes). The contact answers 404 afterwards; a later op with the same id or email ' +
      'creates a new contact, whose journey email is blocked (`suppressed`) until the suppression is lifted.',
  })
  @ApiNoContentResponse({ description: 'Erased.' })
  @ApiErrors(404)
  erase(@Param() { tenantId, contactId }: ContactParams): Promise<void> {
    return this.rights.erase(tenantId, contactId);
  }

  @Post('merge')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'mergeContacts',
    summary: 'Merge another contact into this one',
    description:
      "In one transaction, `from`'s events, connector links, provider-customer links, journey runs and messages move to " +
      "this contact; attributes merge (this contact's values win); `from`'s external id and email become aliases that " +
      'every intake path resolves to this contact. `from` answers 404 afterwards. Merging a contact with itself: 400.',
  })
  @ApiOkResponse({ type: ContactView, description: 'The surviving contact.' })
  @ApiErrors(...JSON_BODY_ERRORS, 404)
  merge(@Param() { tenantId, contactId }: ContactParams, @Body() body: MergeContactDto): Promise<ContactView> {
    return this.rights.merge(tenantId, contactId, body.from.toLowerCase());
  }

  @Get('export')
  @ApiOperation({
    operationId: 'exportContact',
    summary: 'Export everything held about a contact (GDPR Art. 15)',
    description: 'The contact, all its events, its journey runs and its outbox messages, streamed as one JSON document.',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ type: ContactExportView })
  @ApiErrors(404)
  async export(@Param() { tenantId, contactId }: ContactParams, @Res() res: Response): Promise<void> {
    // Errors before the first byte get the usual envelope; after it, the connection is cut (a
    // truncated document is never mistaken for a whole one).
    const contact = await this.rights.requireContact(tenantId, contactId);
    res.status(200).type('application/json');
    try {
      await this.rights.export(tenantId, contact, (chunk) => write(res, chunk));
      res.end();
    } catch (err) {
      this.logger.error({ err, tenantId }, 'contact export failed while streaming');
      res.destroy();
    }
  }
}

/** Writes a chunk, waiting for the socket to drain when the client reads slower than we write. */
function write(res: Response, chunk: string): Promise<void> {
  if (res.destroyed) return Promise.reject(new Error('the client went away'));
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new Error('the client went away'));
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
