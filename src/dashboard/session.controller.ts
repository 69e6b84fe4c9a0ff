import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access } from '../common/access.decorator.js';
import { ApiErrors, JSON_BODY_ERRORS } from '../common/openapi.js';
import type { AppRequest } from '../common/request-context.js';
import { sessionCookie } from '../common/session-http.js';
import { DashboardSessionsService } from './dashboard-sessions.service.js';
import { SessionView, SignInDto } from './dto/session.dto.js';

/** The dashboard's session: sign in with the admin token, read the CSRF token, sign out. */
@ApiTags('Dashboard')
@Controller('app/api/session')
export class SessionController {
  constructor(private readonly sessions: DashboardSessionsService) {}

  @Post()
  @Access('public')
  @ApiOperation({
    operationId: 'signIn',
    summary: 'Sign in to the dashboard with the admin token',
    description:
      'Sets the `mara_session` cookie (HttpOnly, SameSite=Strict, Path=/, Secure when PUBLIC_BASE_URL is https). ' +
      'Same-origin requests only (403 otherwise). After 10 wrong tokens from one address within 15 minutes, ' +
      'every attempt from it answers 429 until the window ends.',
  })
  @ApiCreatedResponse({ type: SessionView, headers: { 'Set-Cookie': { description: 'The session cookie.', schema: { type: 'string' } } } })
  @ApiErrors(...JSON_BODY_ERRORS, 401, 'forbidden', 'rate_limited')
  async signIn(
    @Body() body: SignInDto,
    @Req() req: AppRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionView> {
    this.sessions.assertSameOrigin(req);
    const signedIn = await this.sessions.signIn(body.token, req.socket.remoteAddress ?? 'unknown');
    // A session the browser held before is ended: one sign-in, one live session per browser.
    const previous = sessionCookie(req);
    if (previous) await this.sessions.signOut(previous);
    res.setHeader('Set-Cookie', signedIn.cookie);
    res.setHeader('Cache-Control', 'no-store');
    return { csrfToken: signedIn.csrfToken, expiresAt: signedIn.expiresAt };
  }

  @Get()
  @Access('session')
  @ApiOperation({
    operationId: 'getSession',
    summary: "The current dashboard session and its CSRF token (401 when signed out)",
  })
  @ApiOkResponse({ type: SessionView })
  get(@Req() req: AppRequest, @Res({ passthrough: true }) res: Response): SessionView {
    res.setHeader('Cache-Control', 'no-store');
    const session = req.dashboardSession!;
    return { csrfToken: session.csrfToken, expiresAt: session.expiresAt };
  }

  @Delete()
  @Access('session')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'signOut',
    summary: 'Sign out: ends the session on the server and clears the cookie',
  })
  @ApiNoContentResponse({ description: 'Signed out.' })
  async signOut(@Req() req: AppRequest, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.sessions.signOut(req.dashboardSession!.rawId);
    res.setHeader('Set-Cookie', this.sessions.clearedCookie());
  }
}
