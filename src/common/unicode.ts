/**
 * Strings as characters (code points), not UTF-16 code units: lengths, cuts and the check for
 * broken UTF-16. A JSON body can carry a lone surrogate (`"\ud800"`), which no UTF-8 text and no
 * PostgreSQL jsonb can hold; a cut at a code-unit index can make one out of an emoji.
 */

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

/** Number of characters (code points): an emoji counts once. */
export function codePointLength(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++, n++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  return n;
}

/** The first `max` characters (code points) of `value`: never half of a surrogate pair. */
export function cutCodePoints(value: string, max: number): string {
  if (value.length <= max) return value;
  let i = 0;
  for (let n = 0; n < max && i < value.length; n++) {
    const c = value.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < value.length && value.charCodeAt(i + 1) >= 0xdc00 && value.charCodeAt(i + 1) <= 0xdfff;
    i += pair ? 2 : 1;
  }
  return value.slice(0, i);
}
