import { type DynamicModule, Module } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SessionAuthenticator } from '../common/ports.js';
import { DashboardSessionsRepository } from './dashboard-sessions.repository.js';
import { DashboardSessionsService } from './dashboard-sessions.service.js';
import { SessionController } from './session.controller.js';
import { WEB_DIR, WebFilesController } from './web-files.controller.js';

/** dist/web under the project root (the folder of mara-lifecycle's package.json). */
export function defaultWebDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mara-lifecycle') {
      return path.join(dir, 'dist', 'web');
    }
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve('dist', 'web');
    dir = parent;
  }
}

export interface DashboardOptions {
  /** Where the built web app is; default dist/web. */
  webDir?: string;
}

/** The web dashboard at `/app`: its files, and its sessions (the AccessGuard uses them). */
@Module({})
export class DashboardModule {
  static forRoot(options: DashboardOptions = {}): DynamicModule {
    return {
      module: DashboardModule,
      // The session routes first: the files route matches every other /app/... path.
      controllers: [SessionController, WebFilesController],
      providers: [
        DashboardSessionsRepository,
        DashboardSessionsService,
        { provide: SessionAuthenticator, useExisting: DashboardSessionsService },
        { provide: WEB_DIR, useValue: path.resolve(options.webDir ?? defaultWebDir()) },
      ],
      exports: [DashboardSessionsService, SessionAuthenticator],
    };
  }
}
