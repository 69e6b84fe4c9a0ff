import { Controller, Get, Inject, Param, Redirect, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { Access } from '../common/access.decorator.js';
import { AppError, notFound } from '../common/errors.js';
import { loggableError, PINO_LOGGER } from '../common/logger.js';

export const WEB_DIR = Symbol('WEB_DIR');

/**
 * Scripts, styles, images and fetches from this origin only: no inline script or style, no
 * third-party origin, no framing.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': DASHBOARD_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Vite names every file under assets/ by its content hash: they never change. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/**
 * The built dashboard (`npm run build` writes it to dist/web), at `/app`: files by path, and
 * index.html for every other `/app/...` path (the app routes in the browser). `GET /` redirects
 * here.
 */
@ApiExcludeController()
@Access('public')
@Controller()
export class WebFilesController {
  constructor(
    @Inject(WEB_DIR) private readonly webDir: string,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  @Redirect('/app', 302)
  root(): void {}

  @Get('app')
  index(@Res() res: Response): Promise<void> {
    return this.serve([], res);
  }

  @Get('app/*path')
  file(@Param('path') rest: string[] | string, @Res() res: Response): Promise<void> {
    return this.serve(Array.isArray(rest) ? rest : rest.split('/'), res);
  }

  private async serve(segments: string[], res: Response): Promise<void> {
    const parts = segments.filter((s) => s !== '');
    if (parts[0] === 'api') throw notFound(`route /app/${parts.join('/')}`);
    const index = path.join(this.webDir, 'index.html');
    if (!(await isFile(index))) {
      throw new AppError('not_found', 'the dashboard is not built: run `npm run build` (it writes dist/web)');
    }
    const last = parts.at(-1) ?? '';
    if (!last.includes('.')) {
      this.send(res, index, 'no-cache');
      return;
    }
    // A file: never outside the build folder, never a dotfile.
    const file = path.resolve(this.webDir, ...parts);
    if (parts.some((p) => p.startsWith('.')) || !file.startsWith(this.webDir + path.sep) || !(await isFile(file))) {
      throw notFound(`file /app/${parts.join('/')}`);
    }
    this.send(res, file, parts[0] === 'assets' ? IMMUTABLE : 'public, max-age=3600');
  }

  private send(res: Response, file: string, cacheControl: string): void {
    res.sendFile(
      file,
      { headers: { ...SECURITY_HEADERS, 'Cache-Control': cacheControl }, cacheControl: false, dotfiles: 'deny' },
      (err) => {
        if (!err) return;
        if (res.headersSent) return; // the client went away mid-file
        this.logger.error({ err: loggableError(err), file: path.basename(file) }, 'dashboard file not sent');
        res.status(500).json(new AppError('infra', 'internal error; safe to retry').body());
      },
    );
  }
}
