import { AppError } from './errors.js';
import { CursorCodec, mapPage } from './pagination.js';

const NOT_OURS = 'cursor: is not a cursor this API returned';

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('bad_request');
    return (e as AppError).message;
  }
  throw new Error('expected a 400');
}

describe('CursorCodec: cursors only the server can make', () => {
  const codec = new CursorCodec(Buffer.alloc(32, 1));
  const key = { at: new Date('2025-12-22T10:30:00.123Z'), id: '9a1f7c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b' };

  it('decodes what it encoded, for the same list', () => {
    const cursor = codec.encode('contacts:t1', key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(codec.decode('contacts:t1', cursor)).toEqual(key);
  });

  it('refuses a cursor issued for another list, or by another key', () => {
    const cursor = codec.encode('contacts:t1', key);
    expect(refusal(() => codec.decode('contacts:t2', cursor))).toBe(NOT_OURS);
    expect(refusal(() => new CursorCodec(Buffer.alloc(32, 2)).decode('contacts:t1', cursor))).toBe(NOT_OURS);
  });

  it('refuses crafted, edited and malformed cursors', () => {
    const cursor = codec.encode('l', key);
    const [position, mac] = cursor.split('.');
    const crafted = Buffer.from(JSON.stringify(['2020-01-01T00:00:00Z', 'x'])).toString('base64url');
    const edited = Buffer.from(JSON.stringify(['2020-01-01T00:00:00.000Z', key.id])).toString('base64url');
    const flipped = `${mac[0] === 'A' ? 'B' : 'A'}${mac.slice(1)}`;
    for (const bad of [crafted, `${crafted}.${mac}`, `${edited}.${mac}`, `${position}.${flipped}`, position, `${position}.`, `.${mac}`, `${cursor}.x`, 'W10', '€', `${position}.${mac}=`]) {
      expect(refusal(() => codec.decode('l', bad))).toBe(NOT_OURS);
    }
  });
});

describe('mapPage', () => {
  it('maps the items in order and keeps the cursor', () => {
    expect(mapPage({ items: [1, 2, 3], nextCursor: 'c' }, (n) => `#${n}`)).toEqual({ items: ['#1', '#2', '#3'], nextCursor: 'c' });
    expect(mapPage({ items: [], nextCursor: null }, String)).toEqual({ items: [], nextCursor: null });
  });
});
