import { DomainError, type ErrorCode } from '../common/errors.js';

/** What can go wrong with a journey request, beyond its body's validation. */
export enum JourneyErrorCode {
  NotFound = 'journey.not_found',
  /** PATCH of an active journey: what runs is what was approved, so pause it first. */
  ActiveNotEditable = 'journey.active_not_editable',
  /** A status change the lifecycle does not have (pausing a draft). */
  TransitionNotAllowed = 'journey.transition_not_allowed',
  /** Another request changed the journey's status between the read and the write. */
  ChangedMeanwhile = 'journey.changed_meanwhile',
  UnsubscribeLinkNotFound = 'journey.unsubscribe_link_not_found',
  RunNotFound = 'journey.run_not_found',
  EventNotFound = 'journey.event_not_found',
  ContactNotFound = 'journey.contact_not_found',
  /** A definition the DTO rules cannot see: branches nested too deep. */
  InvalidDefinition = 'journey.invalid_definition',
  /** Preview of a path that names no send_email step. */
  NotAnEmailStep = 'journey.not_an_email_step',
}

const WIRE: Record<JourneyErrorCode, ErrorCode> = {
  [JourneyErrorCode.NotFound]: 'not_found',
  [JourneyErrorCode.ActiveNotEditable]: 'conflict',
  [JourneyErrorCode.TransitionNotAllowed]: 'conflict',
  [JourneyErrorCode.ChangedMeanwhile]: 'conflict',
  [JourneyErrorCode.UnsubscribeLinkNotFound]: 'not_found',
  [JourneyErrorCode.RunNotFound]: 'not_found',
  [JourneyErrorCode.EventNotFound]: 'not_found',
  [JourneyErrorCode.ContactNotFound]: 'not_found',
  [JourneyErrorCode.InvalidDefinition]: 'bad_request',
  [JourneyErrorCode.NotAnEmailStep]: 'bad_request',
};

export class JourneyError extends DomainError<JourneyErrorCode> {
  constructor(reason: JourneyErrorCode, message: string) {
    super(reason, WIRE, message);
  }
}
