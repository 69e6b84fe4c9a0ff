import { validateSync } from 'class-validator';
import { AppError } from '../common/errors.js';
import { parseInstant } from '../common/instant.js';
import { formatValidationErrors } from '../common/validation.js';
import { EventsOpDto } from './dto/events-op.dto.js';
import type { EventsApiOp, PreparedOp } from '../common/vocabulary.js';
import { sanitizeFields } from './sanitize.js';

type JsonObject = Record<string, unknown>;

export const MAX_OP_BYTES = 32 * 1024;
export const MAX_BATCH = 100;

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

/** The op fields EventsOpDto validates; anything else on an op is ignored. */
const OP_FIELDS = ['type', 'userId', 'externalId', 'email', 'name', 'traits', 'event', 'properties', 'timestamp', 'messageId'] as const;

/**
 * The DTO of a client op, built from the op's own known fields only. Not class-transformer's
 * `plainToInstance`: on client JSON it follows `__proto__` keys (JSON.parse makes them own
 * properties) into the instance's prototype, which either throws or hides the op's fields from
 * validation. Traits and properties stay the client's objects, read later by own keys only.
 */
function opDto(op: JsonObject): EventsOpDto {
  const dto = new EventsOpDto();
  for (const field of OP_FIELDS) {
    if (Object.hasOwn(op, field)) (dto as unknown as JsonObject)[field] = op[field];
  }
  if (typeof dto.email === 'string') dto.email = dto.email.trim();
  return dto;
}

function validateOne(item: OpAtPath): { dto: EventsOpDto | null; problems: string[] } {
  const where = item.path || 'body';
  if (item.op === null || typeof item.op !== 'object' || Array.isArray(item.op)) {
    return { dto: null, problems: [`${where}: must be an object`] };
  }
  if (Buffer.byteLength(JSON.stringify(item.op), 'utf8') > MAX_OP_BYTES) {
    return { dto: null, problems: [`${where}: operation exceeds 32 KB`] };
  }
  const dto = opDto(item.op as JsonObject);
  const errors = validateSync(dto, { forbidUnknownValues: false });
  if (errors.length === 0) return { dto, problems: [] };
  // Messages name each field where the client sent it.
  const problems = formatValidationErrors(errors).map((line) => {
    const [field, ...rest] = line.split(': ');
    return `${fieldName(item, field)}: ${rest.join(': ')}`;
  });
  return { dto: null, problems };
}

function prepare(dto: EventsOpDto, item: OpAtPath): PreparedOp {
  const warnings: string[] = [];
  const traits = dto.type === 'identify' ? sanitizeFields(dto.traits, fieldName(item, 'traits')) : { values: {}, warnings: [] };
  const properties =
    dto.type === 'track' ? sanitizeFields(dto.properties, fieldName(item, 'properties')) : { values: {}, warnings: [] };
  warnings.push(...traits.warnings, ...properties.warnings);
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
    event: dto.type === 'track' ? dto.event! : null,
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

/** The Events API body: one op, or `{batch: [...]}` with 1 to 100 ops. */
export function eventsApiItems(body: unknown): OpAtPath[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('bad_request', 'body: must be an operation or {"batch": [...]}');
  }
  if (!('batch' in body)) return [{ op: body, path: '' }];
  const batch = (body as { batch: unknown }).batch;
  if (!Array.isArray(batch)) throw new AppError('bad_request', 'batch: must be an array');
  if (batch.length === 0) throw new AppError('bad_request', 'batch: must hold at least 1 operation');
  if (batch.length > MAX_BATCH) {
    throw new AppError('bad_request', `batch: must hold at most ${MAX_BATCH} operations, got ${batch.length}`);
  }
  return batch.map((op, i) => ({ op, path: `batch[${i}]` }));
}
