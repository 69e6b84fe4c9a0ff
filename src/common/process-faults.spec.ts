import { isConnectionError } from './process-faults.js';

describe('isConnectionError', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    [Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    [Object.assign(new Error('the database system is starting up'), { code: '57P03' })],
    [Object.assign(new Error('connection failure'), { code: '08006' })],
    [new Error('Connection terminated unexpectedly')],
    [new Error('Client has encountered a connection error and is not queryable')],
  ])('is true for %p', (err) => {
    expect(isConnectionError(err)).toBe(true);
  });

  it.each([[new TypeError("Cannot read properties of undefined (reading 'id')")], [Object.assign(new Error('duplicate key'), { code: '23505' })], ['text'], [null]])(
    'is false for %p',
    (err) => {
      expect(isConnectionError(err)).toBe(false);
    },
  );
});
