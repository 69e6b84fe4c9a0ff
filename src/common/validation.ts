import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError } from './errors.js';
import { joinPath } from './json-body.js';

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

/** The global pipe for DTOs: unknown fields rejected, messages that name the field. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => validationError(errors),
  });
}
