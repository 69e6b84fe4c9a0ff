import { runInNewContext } from 'node:vm';
import { loggableError } from './logger.js';

describe('loggableError', () => {
  it('keeps the message, code and stack of an error', () => {
    const err = Object.assign(new Error('boom'), { code: 'E_BOOM', parameters: ['ada@example.com'] });
    const out = loggableError(err);
    expect(out).toMatchObject({ type: 'Error', message: 'boom', code: 'E_BOOM', stack: expect.stringContaining('boom') });
    expect(JSON.stringify(out)).not.toContain('ada@example.com');
  });

  it("reads pg-boss's worker errors, which are plain objects spread from an error", () => {
    const cause = Object.assign(new Error('relation "pgboss.job" does not exist'), { code: '42P01' });
    const event = { ...cause, message: cause.message, stack: cause.stack, queue: 'journey-step', worker: 'w1' };
    const out = loggableError(event);
    expect(out).toMatchObject({ message: 'relation "pgboss.job" does not exist', code: '42P01', queue: 'journey-step', worker: 'w1' });
    expect(out.stack).toEqual(expect.stringContaining('does not exist'));
    expect(JSON.stringify(out)).not.toContain('[object Object]');
  });

  it('reads errors made in another realm', () => {
    const foreign: unknown = runInNewContext('Object.assign(new Error("far away"), { code: "EFAR" })');
    expect(foreign instanceof Error).toBe(false);
    expect(loggableError(foreign)).toMatchObject({ type: 'Error', message: 'far away', code: 'EFAR' });
  });

  it('describes values that are not errors without dumping them', () => {
    expect(loggableError('plain words')).toEqual({ message: 'plain words' });
    const out = loggableError({ secret: 'sk_live_123', nested: { a: 1 } });
    expect(out.message).not.toBe('[object Object]');
    expect(JSON.stringify(out)).not.toContain('sk_live_123');
  });
});
