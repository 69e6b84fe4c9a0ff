import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError } from './errors.js';
import { joinPath } from './json-body.js';
import { RESERVED_KEYS } from './json-object.js';
import { pathIdNotFound } from './path-params.js';

/** Flattens class-validator errors into `path: message` lines, e.g. `batch[3].event: ...`. */
export function formatValidationErrors(errors: ValidationError[], parent = ''): string[] {
  const lines: string[] = [];
  for (const error of errors) {
    const key = /^\d+$/.test(error.property) && parent ? Number(error.property) : error.property;
    const path = parent ? joinPath(parent, key) : String(key);
    const messages = Object.values(error.constraints ?? {}).map((m) =>
      m.startsWith(`${error.property} `) ? m.slice(error.property.length + 1) : m.replace(/^property \S+ /, ''),
    );
    if (messages.length) lines.push(`${path}: ${messages.reverse().join(', ')}`);
    if (error.children?.length) lines.push(...formatValidationErrors(error.children, path));
  }
  return lines;
}

export function validationError(errors: ValidationError[], root = ''): AppError {
  const lines = formatValidationErrors(errors, root);
  return new AppError('bad_request', lines.length ? lines.join('; ') : `${root || 'body'}: invalid`);
}

/** The path of the first reserved key anywhere in a parsed body, or null. */
export function findReservedKey(value: unknown, path = ''): string | null {
  if (value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findReservedKey(value[i], path ? joinPath(path, i) : `[${i}]`);
      if (found) return found;
    }
    return null;
  }
  for (const [key, child] of Object.entries(value)) {
    const childPath = joinPath(path, key);
    if (RESERVED_KEYS.has(key)) return childPath;
    const found = findReservedKey(child, childPath);
    if (found) return found;
  }
  return null;
}

/** What the pipe's exceptionFactory throws, turned into the envelope by `transform` (which knows the source). */
class DtoInvalid extends Error {
  constructor(readonly errors: ValidationError[]) {
    super('invalid DTO');
  }
}

/**
 * The global pipe for DTOs: unknown fields rejected, messages that name the field (400). In path
 * params, a malformed id is a 404 instead (see PathUuid). A DTO has no field called `__proto__`,
 * `constructor` or `prototype`, so such a key is refused like any unknown field, and before
 * class-transformer runs: it would follow the key into the instance's prototype, which throws
 * (a 500) or hides the DTO's fields from validation.
 */
class DtoValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (this.toValidate(metadata)) {
      const reserved = findReservedKey(value);
      if (reserved) throw new AppError('bad_request', `${reserved}: should not exist`);
    }
    try {
      return await super.transform(value, metadata);
    } catch (e) {
      if (!(e instanceof DtoInvalid)) throw e;
      throw (metadata.type === 'param' ? pathIdNotFound(e.errors) : null) ?? validationError(e.errors);
    }
  }
}

export function createValidationPipe(): ValidationPipe {
  return new DtoValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new DtoInvalid(errors),
  });
}
