import { isEmail, isIn, isObject as isObjectRule, isString, matches, maxLength, validateSync } from 'class-validator';
import { AppError } from '../common/errors.js';
import { CONTACT_NAME_MAX_LENGTH, EMAIL_MAX_LENGTH, EVENT_TYPE_PATTERN, ID_MAX_LENGTH, MAX_BATCH_OPS, MAX_OP_BYTES } from '../common/limits.js';
import { parseInstant } from '../common/instant.js';
import { isObject, type JsonObject } from '../common/json-object.js';
import { formatValidationErrors } from '../common/validation.js';
import { type EventsOp, IdentifyOp, OP_CLASS, OP_TYPES, OpBase, type OpType, TrackOp } from './dto/events-op.dto.js';
import type { EventsApiOp, PreparedOp } from '../common/vocabulary.js';
import { sanitizeFields } from './sanitize.js';

export { MAX_OP_BYTES, MAX_BATCH_OPS as MAX_BATCH } from '../common/limits.js';

/** An op to validate, with where it sits in the request (for messages). */
export interface OpAtPath {
  op: unknown;
  /** Prefix of the op in the request: '' for a lone op, 'batch[3]' in a batch. */
  path: string;
  /** Source field paths when the op was mapped from another format (e.g. event -> 'event_type'). */
  fields?: Partial<Record<keyof EventsApiOp, string>>;
}

function fieldName(item: OpAtPath, field: string): string {
  const mapped = item.fields?.[field as keyof EventsApiOp];
  if (mapped) return mapped;
  return item.path ? `${item.path}.${field}` : field;
}

const BASE_FIELDS = ['type', 'userId', 'externalId', 'email'] as const;
/** The fields each op class validates; anything else on an op is ignored. */
const OP_FIELDS: Record<OpType, readonly string[]> = {
  identify: [...BASE_FIELDS, 'name', 'traits'],
  track: [...BASE_FIELDS, 'event', 'properties', 'timestamp', 'messageId'],
};

/**
 * The DTO of a client op (the class its `type` names, else OpBase, which refuses the type),
 * built from the op's own known fields only. Not class-transformer's `plainToInstance`: on
 * client JSON it follows `__proto__` keys (JSON.parse makes them own properties) into the
 * instance's prototype, which either throws or hides the op's fields from validation. Traits
 * and properties stay the client's objects, read later by own keys only.
 */
export function opDto(op: JsonObject): EventsOp | OpBase {
  const type = Object.hasOwn(op, 'type') ? op.type : undefined;
  const known = type === 'identify' || type === 'track' ? type : null;
  const dto: EventsOp | OpBase = known ? new OP_CLASS[known]() : new OpBase();
  for (const field of known ? OP_FIELDS[known] : BASE_FIELDS) {
    if (Object.hasOwn(op, field)) (dto as unknown as JsonObject)[field] = op[field];
  }
  if (typeof dto.email === 'string') dto.email = dto.email.trim();
  return dto;
}

/** One rule an op breaks: the op field (null for the op as a whole) and the message. */
interface Problem {
  field: string | null;
  message: string;
}

const isEventsOp = (dto: EventsOp | OpBase): dto is EventsOp => dto instanceof IdentifyOp || dto instanceof TrackOp;

/** `@IsOptional()`: null and undefined skip the field's rules. */
const absent = (v: unknown): boolean => v === null || v === undefined;
const idOk = (v: unknown): boolean => absent(v) || (isString(v) && maxLength(v, ID_MAX_LENGTH));

/**
 * The 100-op loop's check: true only when class-validator would find nothing wrong with the
 * op's DTO (the rules of IdentifyOp / TrackOp, docs/api.md#events-api), written out once with
 * class-validator's own rule functions instead of its per-call metadata walk. Any other op goes
 * to validateSync, which alone writes the messages, so a refused op reads the same whichever
 * way it came (prepare-ops.spec.ts holds the two to the same verdicts).
 */
export function passesFast(dto: EventsOp | OpBase): boolean {
  if (!isEventsOp(dto) || !isIn(dto.type, OP_TYPES)) return false;
  if (!idOk(dto.userId) || !idOk(dto.externalId)) return false;
  if (!absent(dto.email) && !(isString(dto.email) && maxLength(dto.email, EMAIL_MAX_LENGTH) && isEmail(dto.email, {}))) return false;
  if (dto.type === 'identify') {
    return (absent(dto.name) || (isString(dto.name) && maxLength(dto.name, CONTACT_NAME_MAX_LENGTH))) && (absent(dto.traits) || isObjectRule(dto.traits));
  }
  return (
    isString(dto.event) &&
    matches(dto.event, EVENT_TYPE_PATTERN) &&
    (absent(dto.properties) || isObjectRule(dto.properties)) &&
    idOk(dto.messageId)
  );
}

function validateOne(item: OpAtPath, limits: { opBytes: boolean }): { dto: EventsOp | null; problems: Problem[] } {
  if (!isObject(item.op)) return { dto: null, problems: [{ field: null, message: 'must be an object' }] };
  if (limits.opBytes && Buffer.byteLength(JSON.stringify(item.op), 'utf8') > MAX_OP_BYTES) {
    return { dto: null, problems: [{ field: null, message: `operation exceeds ${MAX_OP_BYTES / 1024} KB` }] };
  }
  const dto = opDto(item.op);
  if (passesFast(dto)) return { dto: dto as EventsOp, problems: [] };
  const errors = validateSync(dto, { forbidUnknownValues: false });
  if (errors.length === 0 && isEventsOp(dto)) return { dto, problems: [] };
  // Named in the op's own field order, whatever order the DTO classes declare them in.
  const order: readonly string[] = isEventsOp(dto) ? OP_FIELDS[dto.type] : BASE_FIELDS;
  const rank = (field: string): number => (order.includes(field) ? order.indexOf(field) : order.length);
  const problems = [...errors]
    .sort((a, b) => rank(a.property) - rank(b.property))
    .flatMap((error) =>
      formatValidationErrors([error]).map((line) => ({ field: error.property, message: line.slice(line.indexOf(': ') + 2) })),
    );
  return { dto: null, problems };
}

/** A problem as a message names it: where the client sent the field (or the op). */
function describe(item: OpAtPath, problem: Problem): string {
  return `${problem.field === null ? item.path || 'body' : fieldName(item, problem.field)}: ${problem.message}`;
}

function prepare(dto: EventsOp, item: OpAtPath): PreparedOp {
  const none = { values: {}, warnings: [] };
  const traits = dto.type === 'identify' ? sanitizeFields(dto.traits, fieldName(item, 'traits')) : none;
  const properties = dto.type === 'track' ? sanitizeFields(dto.properties, fieldName(item, 'properties')) : none;
  const warnings = [...traits.warnings, ...properties.warnings];
  let occurredAt: Date | null = null;
  if (dto.type === 'track' && dto.timestamp !== undefined && dto.timestamp !== null) {
    occurredAt = parseInstant(dto.timestamp);
    if (!occurredAt) warnings.push(`${fieldName(item, 'timestamp')}: invalid, arrival time used`);
  }
  const externalId = dto.externalId || dto.userId || null;
  return {
    type: dto.type,
    externalId,
    email: dto.email ? dto.email.toLowerCase() : null,
    name: dto.type === 'identify' && dto.name ? dto.name : null,
    traits: traits.values,
    event: dto.type === 'track' ? dto.event : null,
    properties: properties.values,
    occurredAt,
    messageId: dto.type === 'track' && dto.messageId ? dto.messageId : null,
    warnings,
  };
}

/**
 * Client intake (Events API and the other formats): validates every op first (any violation is
 * a 400 for the whole request, naming each field where the client sent it), then sanitizes them.
 * `opBytesBound`: at most how many bytes any op stringifies to, when the caller knows it.
 */
export function prepareOps(items: OpAtPath[], options: { opBytesBound?: number } = {}): PreparedOp[] {
  // No op needs its size measured when none can exceed the limit (stringifiedBytesBound).
  const opBytes = !(options.opBytesBound !== undefined && options.opBytesBound <= MAX_OP_BYTES);
  const checked = items.map((item) => ({ item, ...validateOne(item, { opBytes }) }));
  const problems = checked.flatMap((c) => c.problems.map((p) => describe(c.item, p)));
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ');
    throw new AppError('bad_request', problems.length > 10 ? `${shown}; and ${problems.length - 10} more` : shown);
  }
  return checked.map((c) => prepare(c.dto!, c.item));
}

/** Fields a provider op may lose and still mean what it meant (the op keeps its type and event). */
const DROPPABLE: ReadonlySet<string> = new Set(['userId', 'externalId', 'email', 'name', 'traits', 'properties', 'timestamp', 'messageId']);

/**
 * Provider intake (webhooks, the Clerk import): the same rules on the same Events-API-shaped
 * ops, but nobody is there to fix a 400, and a refused delivery would be redelivered for days
 * with the same content. So nothing is refused: a field that breaks a rule (an invalid email, an
 * id over 255 characters, a name over 200) is dropped with a warning on its op
 * (`email: dropped, must be a valid email address`), and the op is prepared without it; an op
 * that cannot be kept without its field (an event name that breaks the rule, an unknown type) is
 * left out, with a warning in `dropped`. Traits and properties are sanitized as everywhere.
 * The 32 KB op limit does not apply: provider bodies are bounded by the 1 MB body limit, and what
 * is stored by sanitization.
 */
export function prepareProviderOps(items: OpAtPath[]): { ops: PreparedOp[]; dropped: string[] } {
  const ops: PreparedOp[] = [];
  const dropped: string[] = [];
  for (const item of items) {
    let checked = validateOne(item, { opBytes: false });
    const warnings: string[] = [];
    if (checked.problems.length > 0 && checked.problems.every((p) => p.field !== null && DROPPABLE.has(p.field))) {
      const op: JsonObject = { ...(item.op as JsonObject) };
      for (const p of checked.problems) {
        delete op[p.field!];
        warnings.push(`${fieldName(item, p.field!)}: dropped, ${p.message}`);
      }
      checked = validateOne({ ...item, op }, { opBytes: false });
    }
    if (!checked.dto) {
      dropped.push(...checked.problems.map((p) => `${describe(item, p)} (op dropped)`));
      continue;
    }
    const prepared = prepare(checked.dto, item);
    ops.push({ ...prepared, warnings: [...warnings, ...prepared.warnings] });
  }
  return { ops, dropped };
}

/** The Events API body: one op, or `{batch: [...]}` with 1 to MAX_BATCH_OPS ops. */
export function eventsApiItems(body: unknown): OpAtPath[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('bad_request', 'body: must be an operation or {"batch": [...]}');
  }
  if (!('batch' in body)) return [{ op: body, path: '' }];
  const batch = (body as { batch: unknown }).batch;
  if (!Array.isArray(batch)) throw new AppError('bad_request', 'batch: must be an array');
  if (batch.length === 0) throw new AppError('bad_request', 'batch: must hold at least 1 operation');
  if (batch.length > MAX_BATCH_OPS) {
    throw new AppError('bad_request', `batch: must hold at most ${MAX_BATCH_OPS} operations, got ${batch.length}`);
  }
  return batch.map((op, i) => ({ op, path: `batch[${i}]` }));
}
