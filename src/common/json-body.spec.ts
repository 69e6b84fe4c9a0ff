import { findJsonProblem, isJsonContentType, joinPath, parseJsonBody, stringifiedBytesBound } from './json-body.js';

describe('JSON body checks', () => {
  it('names paths the way error messages do', () => {
    expect(joinPath('batch', 3)).toBe('batch[3]');
    expect(joinPath('batch[3]', 'event')).toBe('batch[3].event');
    expect(joinPath('traits', 'first name')).toBe('traits["first name"]');
  });

  it('finds NUL characters in strings and keys, and deep nesting', () => {
    expect(findJsonProblem({ batch: [{ a: 'ok' }, { traits: { b: 'x\u0000' } }] })).toBe('batch[1].traits.b: must not contain the NUL character');
    expect(findJsonProblem({ traits: { 'k\u0000': 1 } })).toBe('traits: a key must not contain the NUL character');
    let deep: unknown = 1;
    for (let i = 0; i < 33; i++) deep = [deep];
    expect(findJsonProblem(deep)).toMatch(/nests deeper than 32 levels$/);
    let ok: unknown = 1;
    for (let i = 0; i < 31; i++) ok = [ok];
    expect(findJsonProblem(ok)).toBeNull();
  });

  it('finds lone surrogates in strings and keys, naming root array items as the mappers do', () => {
    expect(findJsonProblem({ traits: { plan: 'pro\ud800' } })).toBe('traits.plan: must not contain a lone surrogate (broken UTF-16)');
    expect(findJsonProblem({ traits: { ['k\udc00']: 1 } })).toBe('traits: a key must not contain a lone surrogate (broken UTF-16)');
    expect(findJsonProblem([{ a: 1 }, { b: ['x', '\udbff'] }])).toBe('[1].b[1]: must not contain a lone surrogate (broken UTF-16)');
    expect(findJsonProblem({ ok: 'emoji \u{1F600} is fine' })).toBeNull();
    expect(findJsonProblem(JSON.parse('{"a":"\\ud83d\\ude00"}'))).toBeNull();
    expect(findJsonProblem(JSON.parse('{"a":"\\ud83d"}'))).toBe('a: must not contain a lone surrogate (broken UTF-16)');
  });

  it('parses strict UTF-8 JSON only', () => {
    expect(parseJsonBody(Buffer.from('{"a":1}'))).toEqual({ a: 1 });
    expect(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d]))).toThrow('body: is not valid UTF-8');
    expect(() => parseJsonBody(Buffer.from('{"a":'))).toThrow(/^body: is not valid JSON/);
  });

  it('accepts JSON content types with parameters', () => {
    expect(isJsonContentType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonContentType('application/vnd.api+json')).toBe(true);
    expect(isJsonContentType('text/plain')).toBe(false);
    expect(isJsonContentType(undefined)).toBe(false);
  });

  it('bounds what JSON.stringify writes for a parsed body and the values in it, unless a number may have an exponent', () => {
    const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8');
    const text = ' { "batch" : [ {"a":"\\u00f1\\n\\"\\\\","b":99999999999999999999,"c":-0.0000001,"d":"\u2028😀"} , {"a":"\\/","a":1} ] } ';
    const body = parseJsonBody(Buffer.from(text)) as { batch: unknown[] };
    const bound = stringifiedBytesBound(body)!;
    expect(bound).toBeGreaterThanOrEqual(bytes(body));
    for (const op of body.batch) expect(bound).toBeGreaterThanOrEqual(bytes(op));
    for (const n of ['1e20', '-1E+20', '1e-7', '5e-324', '1.7976931348623157e308', '9.999999999999999e20']) {
      const withExponent = parseJsonBody(Buffer.from(`{"n":[${n},${n}],"s":"3e4"}`));
      expect(stringifiedBytesBound(withExponent)).toBeGreaterThanOrEqual(bytes(withExponent));
    }
    expect(stringifiedBytesBound(body.batch[0])).toBeUndefined();
    expect(stringifiedBytesBound(parseJsonBody(Buffer.from('"text"')))).toBeUndefined();
  });
});
