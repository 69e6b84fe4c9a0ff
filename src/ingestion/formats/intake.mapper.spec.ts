import { badRequestMessageOf } from '../../../test/support/bad-request.js';
import { mapIntake } from './intake.mapper.js';

/** The example payload of docs/formats.md#event-intake (Event Intake's own walk-through). */
const walkThrough = () => ({
  event_type: 'user.created',
  occurred_at: '2025-12-22T10:30:00Z',
  idempotency_key: '0f3f6f9b-9f0b-4c8d-9f18-5b6a9d9d2d41',
  data: { user_id: 'u_12345', plan: 'pro' },
});

const errorOf = badRequestMessageOf;

describe('mapIntake: the documented walk-through payload', () => {
  const { ops, ignored } = mapIntake(walkThrough());
  const [{ op, fields }] = ops;

  it('is exactly one track op', () => {
    expect(ops).toHaveLength(1);
    expect(ignored).toBe(0);
    expect(op.type).toBe('track');
  });

  it('maps event_type to event, occurred_at to timestamp, idempotency_key to messageId', () => {
    expect(op.event).toBe('user.created');
    expect(op.timestamp).toBe('2025-12-22T10:30:00.000Z');
    expect(op.messageId).toBe('0f3f6f9b-9f0b-4c8d-9f18-5b6a9d9d2d41');
  });

  it('maps data.user_id to userId and keeps the rest of data as properties', () => {
    expect(op.userId).toBe('u_12345');
    expect(op.externalId).toBeUndefined();
    expect(op.email).toBeUndefined();
    expect(op.properties).toEqual({ plan: 'pro' });
  });

  it('names the source field of each op field', () => {
    expect(fields).toEqual({
      event: 'event_type',
      timestamp: 'occurred_at',
      messageId: 'idempotency_key',
      userId: 'data.user_id',
      properties: 'data',
    });
  });
});

describe('mapIntake: fields one by one', () => {
  const map = (extra: Record<string, unknown>) =>
    mapIntake({ event_type: 'e', occurred_at: '2025-12-22T10:30:00Z', ...extra }).ops[0];

  it('maps data.external_id and data.email to identity, keeping them out of properties', () => {
    const { op, fields } = map({ data: { external_id: 'x1', email: 'a@b.co', user_id: 7, seats: 3 } });
    expect(op).toMatchObject({ externalId: 'x1', email: 'a@b.co', userId: '7', properties: { seats: 3 } });
    expect(fields).toMatchObject({ externalId: 'data.external_id', email: 'data.email', userId: 'data.user_id' });
  });

  it('keeps nested values of data as properties (dropped downstream), in order', () => {
    const { op } = map({ data: { a: 1, nested: { b: 2 }, list: [1], z: null } });
    expect(op.properties).toEqual({ a: 1, nested: { b: 2 }, list: [1], z: null });
    expect(Object.keys(op.properties ?? {})).toEqual(['a', 'nested', 'list', 'z']);
  });

  it('sets no identity and no properties without data', () => {
    const { op, fields } = map({});
    expect(Object.keys(op).sort()).toEqual(['event', 'timestamp', 'type']);
    expect(Object.keys(fields).sort()).toEqual(['event', 'timestamp']);
  });

  it('treats a null data, null idempotency_key and empty identity values as absent', () => {
    expect(Object.keys(map({ data: null, idempotency_key: null }).op).sort()).toEqual(['event', 'timestamp', 'type']);
    const { op } = map({ data: { user_id: '', email: '' } });
    expect(op.userId).toBeUndefined();
    expect(op.email).toBeUndefined();
    expect(op.properties).toBeUndefined();
  });

  it('normalizes occurred_at offsets to UTC', () => {
    expect(map({ occurred_at: '2025-12-22T12:30:00+02:00' }).op.timestamp).toBe('2025-12-22T10:30:00.000Z');
    expect(map({ occurred_at: '2025-12-22T05:30:00.250-0500' }).op.timestamp).toBe('2025-12-22T10:30:00.250Z');
    expect(map({ occurred_at: '2025-12-22T10:30Z' }).op.timestamp).toBe('2025-12-22T10:30:00.000Z');
  });

  it('ignores unknown top-level fields', () => {
    expect(Object.keys(map({ source: 'crm', version: 2 }).op).sort()).toEqual(['event', 'timestamp', 'type']);
  });

  it('leaves Events API rules on event_type to downstream', () => {
    expect(map({ event_type: '' }).op.event).toBe('');
  });
});

describe('mapIntake: errors name the source field', () => {
  it.each([
    ['body: must be an object', [walkThrough()]],
    ['body: must be an object', null],
    ['event_type: is required', { occurred_at: '2025-12-22T10:30:00Z' }],
    ['event_type: must be a string', { event_type: 1, occurred_at: '2025-12-22T10:30:00Z' }],
    ['occurred_at: is required', { event_type: 'e' }],
    ['occurred_at: is required', { event_type: 'e', occurred_at: null }],
    ['occurred_at: must be an ISO 8601 date-time', { event_type: 'e', occurred_at: 1766399400000 }],
    ['occurred_at: must be an ISO 8601 date-time', { event_type: 'e', occurred_at: '2025-12-22' }],
    ['occurred_at: must be an ISO 8601 date-time', { event_type: 'e', occurred_at: '2025-12-22T10:30:00' }],
    ['occurred_at: must be an ISO 8601 date-time', { event_type: 'e', occurred_at: '2025-02-30T10:30:00Z' }],
    ['occurred_at: must be an ISO 8601 date-time', { event_type: 'e', occurred_at: 'Mon, 22 Dec 2025 10:30:00 GMT' }],
    ['idempotency_key: must be a string', { ...walkThrough(), idempotency_key: 5 }],
    ['idempotency_key: must not be empty', { ...walkThrough(), idempotency_key: '' }],
    ['data: must be an object', { ...walkThrough(), data: [1, 2] }],
    ['data: must be an object', { ...walkThrough(), data: 'plan=pro' }],
    ['data.user_id: must be a string', { ...walkThrough(), data: { user_id: true } }],
    ['data.external_id: must be a string', { ...walkThrough(), data: { external_id: {} } }],
    ['data.email: must be a string', { ...walkThrough(), data: { email: 5 } }],
  ])('%s', (message, body) => {
    expect(errorOf(() => mapIntake(body))).toBe(message);
  });
});
