import { applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiQuery } from '@nestjs/swagger';
import { AppError } from '../common/errors.js';

/** `?backfill=true|false` (docs/journeys.md#backfill); absent is false, anything else a 400. */
export function parseBackfill(value: unknown): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  throw new AppError('bad_request', 'backfill: must be true or false');
}

/**
 * The `backfill` query parameter of a keyed intake route, parsed. A custom parameter, so the
 * global pipe's primitive conversion (which reads anything but "true" as false) never sees it.
 */
export const BackfillParam = createParamDecorator((_: unknown, ctx: ExecutionContext): boolean =>
  parseBackfill(ctx.switchToHttp().getRequest<{ query: Record<string, unknown> }>().query.backfill),
);

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
