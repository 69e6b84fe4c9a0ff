import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Access } from '../common/access.decorator.js';
import { DiscardedBody } from '../common/http/body.js';
import { ApiErrorAs } from '../common/openapi.js';
import { UNSUBSCRIBE_MAX_BODY_BYTES } from '../common/limits.js';
import { OneClickForm } from './dto/unsubscribe.dto.js';
import { UnsubscribeService } from './unsubscribe.service.js';

/**
 * Where the links point: `/u/{token}`. The token is a credential, so the access log cuts it out of
 * every path under this prefix (in any letter case, as routing matches it).
 */
export const UNSUBSCRIBE_PATH = '/u/';

const UNKNOWN_LINK = {
  meaning: 'the token is not one of ours, or its contact is gone',
  example: 'unsubscribe link not found',
};

const CONFIRM_EXAMPLE =
  '<!doctype html>\n<html lang="en">...<h1>Unsubscribe from these emails?</h1>\n<form method="post">...' +
  '<button type="submit">Unsubscribe</button>\n</form>...</html>\n';
const DONE_EXAMPLE = '<!doctype html>\n<html lang="en">...<h1>You are unsubscribed</h1>...</html>\n';

const ApiTokenParam = (): MethodDecorator & ClassDecorator =>
  ApiParam({
    name: 'token',
    type: String,
    description: "The opaque token of a journey email's `List-Unsubscribe` link (it reveals neither the tenant nor the contact).",
  });

/** The `List-Unsubscribe` target of every journey email: open, the token is the credential. */
@ApiTags('Unsubscribe')
@Access('public')
@ApiTokenParam()
@Controller(UNSUBSCRIBE_PATH)
export class UnsubscribeController {
  constructor(private readonly unsubscribe: UnsubscribeService) {}

  /*
   * The success answers declare their media type by hand (not @ApiProduces, which would also move
   * the error envelopes off application/json, where the error filter still answers them).
   */

  @Get(':token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'unsubscribePage',
    summary: 'Unsubscribe confirmation page (the link in every email; HEAD too)',
    description:
      'Changes nothing: mail link scanners follow GET and HEAD links. Answers a short page with a button that ' +
      'POSTs to the same URL (or, once the contact is unsubscribed, a page saying so).',
  })
  @ApiOkResponse({
    description: 'The confirmation page.',
    content: { 'text/html': { schema: { type: 'string', example: CONFIRM_EXAMPLE } } },
  })
  @ApiErrorAs('not_found', UNKNOWN_LINK)
  page(@Param('token') token: string): Promise<string> {
    return this.unsubscribe.confirmationPage(token);
  }

  /** The page's button, and RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` as a form. */
  @Post(':token')
  @DiscardedBody(UNSUBSCRIBE_MAX_BODY_BYTES)
  @HttpCode(200)
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    operationId: 'unsubscribe',
    summary: 'Unsubscribe (the page\'s button; RFC 8058 one-click)',
    description:
      'Unsubscribes the contact from journey email. What the confirmation page posts, and what mail clients post for ' +
      'the `List-Unsubscribe-Post: List-Unsubscribe=One-Click` header. The body is optional, of any content type, and ' +
      `discarded (at most ${UNSUBSCRIBE_MAX_BODY_BYTES / 1024} KB): the token is all it takes. Repeats keep the first time.`,
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ type: OneClickForm, required: false })
  @ApiOkResponse({
    description: 'Unsubscribed: a short page saying so.',
    content: { 'text/html': { schema: { type: 'string', example: DONE_EXAMPLE } } },
  })
  @ApiErrorAs('not_found', UNKNOWN_LINK)
  @ApiErrorAs('payload_too_large', {
    meaning: `the body exceeds ${UNSUBSCRIBE_MAX_BODY_BYTES / 1024} KB`,
    example: `body: exceeds ${UNSUBSCRIBE_MAX_BODY_BYTES} bytes`,
  })
  oneClick(@Param('token') token: string): Promise<string> {
    return this.unsubscribe.unsubscribe(token);
  }
}
