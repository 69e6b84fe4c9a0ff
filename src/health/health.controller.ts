import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { Access } from '../common/access.decorator.js';
import type { ErrorBody } from '../common/errors.js';
import { loggableError, PINO_LOGGER } from '../common/logger.js';
import { ErrorEnvelope } from '../common/openapi.js';
import { LivenessView, ReadinessView } from './dto/health.dto.js';
import { HealthRepository } from './health.repository.js';

/** A database that does not answer within this long counts as down (a probe must not hang). */
const READINESS_TIMEOUT_MS = 5_000;
const NOT_READY = 'not ready: the database does not answer';

@ApiTags('Health')
@Access('public')
@Controller('health')
export class HealthController {
  constructor(
    private readonly database: HealthRepository,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  /** Liveness: the process answers, whatever the state of the database. */
  @Get()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process answers (200 even while the database is down)' })
  @ApiOkResponse({ type: LivenessView })
  live(): LivenessView {
    return { status: 'ok' };
  }

  /**
   * Readiness: the database answers. While it does not, 503 with the envelope (a load balancer
   * takes the instance out of rotation; the process itself stays up and recovers on its own),
   * and the cause goes to the log.
   */
  @Get('ready')
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness: the database answers (503 `infra` while it does not)' })
  @ApiOkResponse({ type: ReadinessView })
  @ApiResponse({
    status: 503,
    description: '`infra`: not ready, the database does not answer; the process stays up and becomes ready again by itself.',
    type: ErrorEnvelope,
    examples: { infra: { summary: 'infra', value: { ok: false, code: 'infra', message: NOT_READY } } },
  })
  async ready(@Res({ passthrough: true }) res: Response): Promise<ReadinessView | ErrorBody> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.database.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS);
        }),
      ]);
    } catch (err) {
      this.logger.error({ err: loggableError(err) }, NOT_READY);
      res.status(503);
      return { ok: false, code: 'infra', message: NOT_READY };
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ok', database: 'ok' };
  }
}
