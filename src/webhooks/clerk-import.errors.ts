import { DomainError, type ErrorCode } from '../common/errors.js';

/** What can go wrong starting or reading a Clerk user import. */
export enum ClerkImportErrorCode {
  NotFound = 'clerk_import.not_found',
  /** No Backend API key is stored for the tenant: nothing to call Clerk with. */
  BackendApiKeyMissing = 'clerk_import.backend_api_key_missing',
  /** One import runs per tenant at a time. */
  AlreadyRunning = 'clerk_import.already_running',
}

const WIRE: Record<ClerkImportErrorCode, ErrorCode> = {
  [ClerkImportErrorCode.NotFound]: 'not_found',
  [ClerkImportErrorCode.BackendApiKeyMissing]: 'bad_request',
  [ClerkImportErrorCode.AlreadyRunning]: 'conflict',
};

export class ClerkImportError extends DomainError<ClerkImportErrorCode> {
  constructor(reason: ClerkImportErrorCode, message: string) {
    super(reason, WIRE, message);
  }
}
