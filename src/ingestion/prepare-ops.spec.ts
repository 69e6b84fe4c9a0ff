import { badRequestMessageOf } from '../../test/support/bad-request.js';
import { validateSync } from 'class-validator';
import type { JsonObject } from '../common/json-object.js';
import { opDto, passesFast, prepareOps, prepareProviderOps } from './prepare-ops.js';

const at = '2026-01-05T10:00:00.000Z';

describe('prepareOps (client intake: any rule broken is a 400)', () => {
  it('names every broken field where the client sent it, and prepares nothing', () => {
    const message = badRequestMessageOf(() =>
      prepareOps([
        { op: { type: 'track', event: 'ok.event', userId: 'u1' }, path: 'batch[0]' },
        { op: { type: 'track', event: 'bad!', email: 'not-an-email' }, path: 'batch[1]' },
        { op: { type: 'identify', email: 'a@x.io', name: 'n'.repeat(201) }, path: '', fields: { name: 'user.name' } },
      ]),
    );
    expect(message).toBe(
      'batch[1].email: must be a valid email address; batch[1].event: must be 1 to 120 letters, digits, spaces or . _ : - /; user.name: must be shorter than or equal to 200 characters',
    );
  });

  it('refuses an op over 32 KB and a non-object op', () => {
    expect(badRequestMessageOf(() => prepareOps([{ op: { type: 'identify', userId: 'u', traits: { a: 'x'.repeat(33_000) } }, path: '' }]))).toBe(
      'body: operation exceeds 32 KB',
    );
    expect(badRequestMessageOf(() => prepareOps([{ op: 'track', path: 'batch[2]' }]))).toBe('batch[2]: must be an object');
  });
});

describe('prepareProviderOps (webhooks, Clerk import: the same rules, nothing refused)', () => {
  it('drops an invalid email with a warning and keeps the rest of the op', () => {
    const { ops, dropped } = prepareProviderOps([
      { op: { type: 'track', event: 'payment-failed', email: ' Not an email ', properties: { amount: 5 }, timestamp: at, messageId: 'stripe:evt_1' }, path: '' },
    ]);
    expect(dropped).toEqual([]);
    expect(ops).toEqual([
      {
        type: 'track',
        externalId: null,
        email: null,
        name: null,
        traits: {},
        event: 'payment-failed',
        properties: { amount: 5 },
        occurredAt: new Date(at),
        messageId: 'stripe:evt_1',
        warnings: ['email: dropped, must be a valid email address'],
      },
    ]);
  });

  it('cleans a valid email as the Events API does: trimmed, lower-cased', () => {
    const { ops } = prepareProviderOps([{ op: { type: 'identify', externalId: 'user_1', email: '  Ada@Example.COM ' }, path: '' }]);
    expect(ops[0]).toMatchObject({ externalId: 'user_1', email: 'ada@example.com', warnings: [] });
  });

  it('drops an id over 255 characters, a name over 200 and a messageId over 255, each with a warning', () => {
    const { ops } = prepareProviderOps([
      { op: { type: 'identify', externalId: 'u'.repeat(256), email: 'a@x.io', name: 'n'.repeat(201), traits: { plan: 'pro' } }, path: '', fields: { traits: 'metadata' } },
      { op: { type: 'track', externalId: 'u1', event: 'purchase', messageId: `polar:${'m'.repeat(250)}` }, path: '' },
    ]);
    expect(ops[0]).toMatchObject({ externalId: null, email: 'a@x.io', name: null, traits: { plan: 'pro' } });
    expect(ops[0].warnings).toEqual([
      'externalId: dropped, must be shorter than or equal to 255 characters',
      'name: dropped, must be shorter than or equal to 200 characters',
    ]);
    expect(ops[1]).toMatchObject({ externalId: 'u1', event: 'purchase', messageId: null });
    expect(ops[1].warnings).toEqual(['messageId: dropped, must be shorter than or equal to 255 characters']);
  });

  it('sanitizes provider metadata like traits, naming it where the provider sent it', () => {
    const { ops } = prepareProviderOps([
      { op: { type: 'identify', externalId: 'u1', traits: { plan: 'pro', api_token: 'x', nested: {} } }, path: '', fields: { traits: 'metadata' } },
    ]);
    expect(ops[0].traits).toEqual({ plan: 'pro' });
    expect(ops[0].warnings).toEqual([
      'metadata.api_token: dropped, secret-looking key',
      'metadata.nested: dropped, objects are not kept (flat scalars only)',
    ]);
  });

  it('leaves out an op it cannot keep without the broken field (an event name), and says so', () => {
    const { ops, dropped } = prepareProviderOps([
      { op: { type: 'identify', externalId: 'u1' }, path: '' },
      { op: { type: 'track', externalId: 'u1', event: 'subscription started!' }, path: '' },
      { op: { type: 'merge', externalId: 'u1' }, path: '' },
    ]);
    expect(ops.map((op) => op.type)).toEqual(['identify']);
    expect(dropped).toEqual([
      'event: must be 1 to 120 letters, digits, spaces or . _ : - / (op dropped)',
      'type: must be one of identify, track (op dropped)',
    ]);
  });

  it('does not apply the 32 KB op limit (sanitization bounds what is kept)', () => {
    const traits = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(1000)]));
    const { ops, dropped } = prepareProviderOps([{ op: { type: 'identify', externalId: 'u1', traits }, path: '' }]);
    expect(dropped).toEqual([]);
    expect(Object.keys(ops[0].traits)).toHaveLength(40);
  });
});

describe('passesFast (the 100-op loop check) and class-validator', () => {
  it('give the same verdict on every op of a generated corpus', () => {
    const long = 'x'.repeat(256);
    const pools: Record<string, unknown[]> = {
      type: ['identify', 'track', 'alias', 1, null, undefined],
      userId: [undefined, null, 'u_1', '', long, long.slice(1), 5, {}, '😀'.repeat(200)],
      externalId: [undefined, null, 'e_1', long, ['a']],
      email: [undefined, null, 'a@example.com', ' A@Example.com ', 'not-an-email', '', `${'a'.repeat(250)}@x.io`, 3, 'a@b'],
      name: [undefined, null, 'Ada', 'n'.repeat(201), 'n'.repeat(200), 7],
      traits: [undefined, null, { plan: 'pro' }, [], 'x', 1],
      event: [undefined, null, 'user.signed_up', '', 'bad event!', 'e'.repeat(121), 'e'.repeat(120), 9, 'a/b:c-d_e f'],
      properties: [undefined, null, { a: 1 }, [1], 'p'],
      timestamp: [undefined, null, '2024-01-01T00:00:00Z', 'garbage', 12],
      messageId: [undefined, null, 'm-1', long, long.slice(1), 0, true],
    };
    let seed = 42;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let agreed = 0;
    let passed = 0;
    for (let i = 0; i < 4000; i++) {
      const op: Record<string, unknown> = {};
      for (const [field, values] of Object.entries(pools)) {
        const v = values[next(values.length)];
        if (v !== undefined) op[field] = v;
      }
      const dto = opDto(op as JsonObject);
      const fast = passesFast(dto);
      const slow = validateSync(dto, { forbidUnknownValues: false }).length === 0 && (dto.type === 'identify' || dto.type === 'track');
      expect({ op, fast }).toEqual({ op, fast: slow });
      agreed++;
      if (fast) passed++;
    }
    expect(agreed).toBe(4000);
    // The corpus exercises both verdicts.
    expect(passed).toBeGreaterThan(20);
    expect(passed).toBeLessThan(4000);
  });
});
