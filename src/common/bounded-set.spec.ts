import { BoundedSet } from './bounded-set.js';

describe('BoundedSet', () => {
  it('holds what was added, up to its bound, then forgets the oldest first', () => {
    const s = new BoundedSet<string>(3);
    for (const v of ['a', 'b', 'c']) s.add(v);
    expect(['a', 'b', 'c'].map((v) => s.has(v))).toEqual([true, true, true]);
    s.add('b');
    expect(s.size).toBe(3);
    s.add('d');
    expect(s.size).toBe(3);
    expect(['a', 'b', 'c', 'd'].map((v) => s.has(v))).toEqual([false, true, true, true]);
    s.add('e');
    expect(['b', 'c', 'd', 'e'].map((v) => s.has(v))).toEqual([false, true, true, true]);
  });
});
