import { applyDecorators, type PipeTransform, Query } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { AppError } from '../common/errors.js';

/** `?backfill=true|false` (docs/journeys.md#backfill); absent is false, anything else a 400. */
class BackfillPipe implements PipeTransform<unknown, boolean> {
  transform(value: unknown): boolean {
    if (value === undefined || value === 'false') return false;
    if (value === 'true') return true;
    throw new AppError('bad_request', 'backfill: must be true or false');
  }
}

/** The `backfill` query parameter of a keyed intake route, parsed. */
export const BackfillParam = (): ParameterDecorator => Query('backfill', new BackfillPipe());

/** Documents `backfill` on a keyed intake route. */
export const ApiBackfill = (): MethodDecorator =>
  applyDecorators(
    ApiQuery({
      name: 'backfill',
      required: false,
      schema: { type: 'boolean' },
      description:
        'History without side effects: written like any other request, but enrolls in no journey and exits no run; its ' +
        'events show `backfill: true` (docs/journeys.md#backfill).',
    }),
  );
