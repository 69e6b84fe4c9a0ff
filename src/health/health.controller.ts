import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Access } from '../common/access.decorator.js';
import { AppError } from '../common/errors.js';
import { LivenessView, ReadinessView } from './dto/health.dto.js';

@ApiTags('Health')
@Access('public')
@Controller('health')
export class HealthController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Liveness: the process answers. */
  @Get()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process answers' })
  @ApiOkResponse({ type: LivenessView })
  live(): LivenessView {
    return { status: 'ok' };
  }

  /** Readiness: the database answers. */
  @Get('ready')
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness: the database answers (500 `infra` when not)' })
  @ApiOkResponse({ type: ReadinessView })
  async ready(): Promise<ReadinessView> {
    try {
      await this.dataSource.query('SELECT 1');
    } catch {
      throw new AppError('infra', 'database unreachable');
    }
    return { status: 'ok', database: 'ok' };
  }
}
