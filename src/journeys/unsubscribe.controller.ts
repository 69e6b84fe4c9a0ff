import { Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { Access } from '../common/access.decorator.js';
import { UnsubscribeService } from './unsubscribe.service.js';

/** The `List-Unsubscribe` target of every journey email: open, the signed token is the credential. */
@Access('public')
@Controller('u')
export class UnsubscribeController {
  constructor(private readonly unsubscribe: UnsubscribeService) {}

  @Get(':token')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(@Param('token') token: string): Promise<string> {
    return this.unsubscribe.confirmationPage(token);
  }

  /** RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` as a form. */
  @Post(':token')
  @HttpCode(200)
  oneClick(@Param('token') token: string): Promise<{ status: 'unsubscribed' }> {
    return this.unsubscribe.oneClick(token);
  }
}
