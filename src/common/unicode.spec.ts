import { codePointLength, cutCodePoints, hasLoneSurrogate } from './unicode.js';

describe('strings as characters', () => {
  const smile = '\u{1F600}';

  it('finds lone surrogates, high or low, anywhere', () => {
    expect(hasLoneSurrogate('ok')).toBe(false);
    expect(hasLoneSurrogate(`a${smile}b`)).toBe(false);
    for (const bad of ['\ud800', 'a\udbff', '\udc00b', `${smile}\ud83d`, '\ude00\ud83d', 'x\ud800\ud800\udc00']) {
      expect(hasLoneSurrogate(bad)).toBe(true);
    }
  });

  it('counts an emoji as one character', () => {
    expect(codePointLength('')).toBe(0);
    expect(codePointLength(`ab${smile}`)).toBe(3);
    expect(codePointLength('\ud800x')).toBe(2);
  });

  it('cuts on a character boundary, never inside a surrogate pair', () => {
    const s = `${'a'.repeat(999)}${smile}bbb`;
    expect(cutCodePoints(s, 1000)).toBe(`${'a'.repeat(999)}${smile}`);
    expect(cutCodePoints(s, 999)).toBe('a'.repeat(999));
    expect(cutCodePoints(smile.repeat(3), 2)).toBe(smile.repeat(2));
    expect(cutCodePoints('short', 10)).toBe('short');
    for (let max = 0; max < 8; max++) expect(hasLoneSurrogate(cutCodePoints(`a${smile}${smile}b${smile}`, max))).toBe(false);
  });
});
