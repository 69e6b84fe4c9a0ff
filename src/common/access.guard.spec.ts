import { Controller, Get, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AppConfig } from '../config/app-config.js';
import type { SessionAuthenticator } from './ports.js';
import { Access } from './access.decorator.js';
import { AccessGuard } from './access.guard.js';
import { AppError } from './errors.js';

@Controller()
class Routes {
  @Get('open')
  @Access('public')
  open(): void {}

  @Get('undeclared')
  undeclared(): void {}

  @Get('admin')
  @Access('admin')
  admin(): void {}
}

const context = (handler: () => void, headers: Record<string, string> = {}): ExecutionContext =>
  ({
    getHandler: () => handler,
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => ({ method: 'GET', headers, originalUrl: '/x' }) }),
  }) as unknown as ExecutionContext;

describe('AccessGuard', () => {
  const guard = new AccessGuard(
    new Reflector(),
    { adminApiToken: 'the-admin-token-0123456789' } as AppConfig,
    {} as SessionAuthenticator,
  );

  async function refusal(ctx: ExecutionContext): Promise<AppError> {
    try {
      await guard.canActivate(ctx);
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      return e as AppError;
    }
    throw new Error('expected a refusal');
  }

  it('opens public routes', async () => {
    await expect(guard.canActivate(context(Routes.prototype.open))).resolves.toBe(true);
  });

  it('closes a route that declares no access with 403 forbidden, whatever the credentials', async () => {
    for (const headers of [{}, { authorization: 'Bearer the-admin-token-0123456789' }] as Array<Record<string, string>>) {
      const e = await refusal(context(Routes.prototype.undeclared, headers));
      expect([e.status, e.body()]).toEqual([403, { ok: false, code: 'forbidden', message: 'route is not open' }]);
    }
  });

  it('answers 401 on an admin route without the admin token, and opens it with the token', async () => {
    const e = await refusal(context(Routes.prototype.admin, { authorization: 'Bearer nope' }));
    expect([e.status, e.code]).toEqual([401, 'unauthorized']);
    await expect(guard.canActivate(context(Routes.prototype.admin, { authorization: 'Bearer the-admin-token-0123456789' }))).resolves.toBe(true);
  });
});
