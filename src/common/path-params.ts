import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsUUID, type ValidationError } from 'class-validator';
import { AppError } from './errors.js';

/** The `context` key that marks a path id's validation error as a 404. */
const NOT_FOUND = 'notFound';

/**
 * A UUID path parameter of a params DTO (`TenantParams`, `JourneyParams`, ...). A value that is
 * no UUID names nothing, so the route answers 404 `<what> not found`, as for a well-formed id that
 * names nothing (docs/api.md#admin-routes); the global pipe turns the validation error into it.
 * Path ids arrive lower-cased (PathIdsGuard runs before any pipe).
 */
export function PathUuid(what: string, description?: string): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ format: 'uuid', ...(description ? { description } : {}) }),
    IsUUID('loose', { message: `${what} not found`, context: { [NOT_FOUND]: true } }),
  );
}

/** The 404 of the first malformed path id among a params DTO's errors, or null. */
export function pathIdNotFound(errors: ValidationError[]): AppError | null {
  for (const error of errors) {
    const context = error.contexts?.isUuid as Record<string, unknown> | undefined;
    const message = error.constraints?.isUuid;
    if (context?.[NOT_FOUND] && message) return new AppError('not_found', message);
  }
  return null;
}
