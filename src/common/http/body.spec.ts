import { Readable } from 'node:stream';
import { AppError } from '../errors.js';
import type { AppRequest } from '../request-context.js';
import { applyBodyPolicy, BODY_READER, JSON_BODY, type BodyPolicy } from './body.js';

const RAW: BodyPolicy = { accepts: 'json', keeps: 'raw', maxBytes: 1024 * 1024 };
const DISCARDED: BodyPolicy = { accepts: 'any', keeps: 'discarded', maxBytes: 8 };

/** A request as the body reader leaves it: `rawBody` set when it read a JSON-typed body, else the stream untouched. */
function request(opts: { method?: string; type?: string; read?: Buffer; unread?: Buffer }): AppRequest {
  const body = opts.unread ?? opts.read ?? Buffer.alloc(0);
  const req = Readable.from(opts.unread ? [opts.unread] : []) as unknown as AppRequest;
  Object.assign(req, {
    method: opts.method ?? 'POST',
    headers: { 'content-type': opts.type ?? 'application/json', 'content-length': String(body.length) },
    rawBody: opts.read,
    body: opts.read,
  });
  return req;
}

async function refusal(p: Promise<void>): Promise<[number, string]> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return [(e as AppError).status, (e as AppError).message];
  }
  throw new Error('expected a refusal');
}

describe('body policies', () => {
  it('parses a JSON body by default, strictly', async () => {
    const req = request({ read: Buffer.from('\ufeff{"a":[1]}') });
    await applyBodyPolicy(req, JSON_BODY);
    expect(req.body).toEqual({ a: [1] });
    expect(await refusal(applyBodyPolicy(request({ read: Buffer.from([0x7b, 0xff, 0x7d]) }), JSON_BODY))).toEqual([400, 'body: is not valid UTF-8']);
    expect(await refusal(applyBodyPolicy(request({ read: Buffer.from('{"a":"\\u0000"}') }), JSON_BODY))).toEqual([400, 'a: must not contain the NUL character']);
  });

  it('refuses a body the reader did not take (not JSON) with 415, unread', async () => {
    const req = request({ type: 'text/plain', unread: Buffer.from('hello') });
    expect(await refusal(applyBodyPolicy(req, JSON_BODY))).toEqual([415, 'Content-Type must be application/json']);
    expect(req.readableEnded).toBe(false);
  });

  it('keeps the exact bytes of a raw route, unparsed', async () => {
    const bytes = Buffer.from('{"b": 1,  "a": "\\u00e9"}');
    const req = request({ read: bytes });
    await applyBodyPolicy(req, RAW);
    expect(req.body).toBeUndefined();
    expect(req.rawBody?.equals(bytes)).toBe(true);
    // Not JSON at all is still the route's to judge (after its signature check).
    await expect(applyBodyPolicy(request({ read: Buffer.from('not json') }), RAW)).resolves.toBeUndefined();
  });

  it('reads and drops a discarded body of any type, up to its limit', async () => {
    const form = request({ type: 'application/x-www-form-urlencoded', unread: Buffer.from('a=b') });
    await applyBodyPolicy(form, DISCARDED);
    expect(form.body).toBeUndefined();
    const big = request({ type: 'application/x-www-form-urlencoded', unread: Buffer.from('x'.repeat(9)) });
    expect(await refusal(applyBodyPolicy(big, DISCARDED))).toEqual([413, 'body: exceeds 8 bytes']);
    const json = request({ read: Buffer.from('{"x":"123456789"}') });
    expect(await refusal(applyBodyPolicy(json, DISCARDED))).toEqual([413, 'body: exceeds 8 bytes']);
  });

  it('ignores bodies of methods that take none, and leaves no body when none was sent', async () => {
    const get = request({ method: 'GET', type: 'text/plain', unread: Buffer.from('x') });
    await applyBodyPolicy(get, JSON_BODY);
    expect(get.body).toBeUndefined();
    const empty = request({});
    await applyBodyPolicy(empty, JSON_BODY);
    expect(empty.body).toBeUndefined();
  });

  it('reads JSON-typed bodies of body methods only', () => {
    const req = (method: string, type: string) => ({ method, headers: { 'content-type': type } }) as never;
    expect(BODY_READER.type(req('POST', 'application/json; charset=utf-8'))).toBe(true);
    expect(BODY_READER.type(req('PATCH', 'application/vnd.api+json'))).toBe(true);
    expect(BODY_READER.type(req('POST', 'text/plain'))).toBe(false);
    expect(BODY_READER.type(req('GET', 'application/json'))).toBe(false);
  });
});
