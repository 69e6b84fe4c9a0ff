import { validateSync } from 'class-validator';
import { AppError } from '../common/errors.js';
import { MAX_BATCH_OPS, MAX_OP_BYTES } from '../common/limits.js';
import { parseInstant } from '../common/instant.js';
import { formatValidationErrors } from '../common/validation.js';
import { type EventsOp, IdentifyOp, OP_CLASS, OpBase, type OpType, TrackOp } from './dto/events-op.dto.js';
import type { EventsApiOp, PreparedOp } from './recording/op.types.js';
import { sanitizeFields } from './sanitize.js';

type JsonObject = Record<string, unknown>;

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
function opDto(op: JsonObject): EventsOp | OpBase {
  const type = Object.hasOwn(op, 'type') ? op.type : undefined;
  const known = type === 'identify' || type === 'track' ? type : null;
  const dto: EventsOp | OpBase = known ? new OP_CLASS[known]() : new OpBase();
  for (const field of known ? OP_FIELDS[known] : BASE_FIELDS) {
    if (Object.hasOwn(op, field)) (dto as unknown as JsonObject)[field] = op[field];
  }
  if (typeof dto.email === 'string') dto.email = dto.email.trim();
  return dto;
}

const isEventsOp = (dto: EventsOp | OpBase): dto is EventsOp => dto instanceof IdentifyOp || dto instanceof TrackOp;

function validateOne(item: OpAtPath): { dto: EventsOp | null; problems: string[] } {
  const where = item.path || 'body';
  if (item.op === null || typeof item.op !== 'object' || Array.isArray(item.op)) {
    return { dto: null, problems: [`${where}: must be an object`] };
  }
  if (Buffer.byteLength(JSON.stringify(item.op), 'utf8') > MAX_OP_BYTES) {
    return { dto: null, problems: [`${where}: operation exceeds ${MAX_OP_BYTES / 1024} KB`] };
  }
  const dto = opDto(item.op as JsonObject);
  const errors = validateSync(dto, { forbidUnknownValues: false });
  if (errors.length === 0 && isEventsOp(dto)) return { dto, problems: [] };
  // Messages name each field where the client sent it.
  const problems = formatValidationErrors(errors).map((line) => {
    const [field, ...rest] = line.split(': ');
    return `${fieldName(item, field)}: ${rest.join(': ')}`;
  });
  return { dto: null, problems };
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
 * Validates every op first (any violation is a 400 for the whole request, naming each field),
 * then sanitizes them. Used by every intake format on its Events-API-shaped ops.
 */
export function prepareOps(items: OpAtPath[]): PreparedOp[] {
  const checked = items.map((item) => ({ item, ...validateOne(item) }));
  const problems = checked.flatMap((c) => c.problems);
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).join('; ');
    throw new AppError('bad_request', problems.length > 10 ? `${shown}; and ${problems.length - 10} more` : shown);
  }
  return checked.map((c) => prepare(c.dto!, c.item));
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
