import { Global, Module } from '@nestjs/common';
import { FieldSanitizer } from '../common/ports.js';
import { sanitizeFields } from './sanitize.js';

/** Provides the FieldSanitizer port (the rules of sanitize.ts) to every module, journeys included. */
@Global()
@Module({
  providers: [{ provide: FieldSanitizer, useValue: { sanitize: sanitizeFields } satisfies FieldSanitizer }],
  exports: [FieldSanitizer],
})
export class FieldSanitizerModule {}
