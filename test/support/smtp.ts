import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope recipients. */
  to: string[];
  /** Header names lower-cased, folded lines joined. */
  headers: Record<string, string>;
  /** The text body, decoded from quoted-printable when it was sent that way. */
  text: string;
}

/**
 * How the server answers: `accept`; `greylist` (451 to every RCPT, as greylisting servers do);
 * `reject` (550 to every RCPT); `hang` (accept the TCP connection, then never greet, so the
 * client's timeout fires). A refused connection is a closed server: `close()`, then
 * `startSmtp({ port })` to bring it back on the same port.
 */
export type SmtpMode = 'accept' | 'greylist' | 'reject' | 'hang';

export interface TestSmtp {
  port: number;
  url: string;
  received: ReceivedMail[];
  /** RCPT commands seen (one per delivery attempt that got that far). */
  readonly rcptAttempts: number;
  /** TCP connections accepted. */
  readonly connections: number;
  mode: SmtpMode;
  /** Changes the mode and drops open connections, so that pooled clients reconnect to the new one. */
  setMode(mode: SmtpMode): void;
  /** Forgets what was received and counted so far. */
  reset(): void;
  close(): Promise<void>;
}

function parse(raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let text = raw.slice(split + 4);
  if (/quoted-printable/i.test(headers['content-transfer-encoding'] ?? '')) {
    text = Buffer.from(
      text.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  }
  return { to, headers, text: text.replace(/\r\n/g, '\n') };
}

/** A real SMTP server on a free local port (plain text, no auth) that keeps what it receives. */
export async function startSmtp(options: { port?: number; mode?: SmtpMode } = {}): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const counts = { rcpt: 0, connections: 0 };
  let mode: SmtpMode = options.mode ?? 'accept';
  const smtpError = (code: number, message: string): Error => Object.assign(new Error(message), { responseCode: code });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 200,
    onConnect(_session, callback) {
      counts.connections += 1;
      // A hanging server: the connection is open but the greeting never comes.
      if (mode !== 'hang') callback();
    },
    onRcptTo(_address, _session, callback) {
      counts.rcpt += 1;
      if (mode === 'greylist') callback(smtpError(451, '4.7.1 Greylisted, please try again later'));
      else if (mode === 'reject') callback(smtpError(550, '5.1.1 Mailbox unavailable'));
      else callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(parse(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((r) => r.address)));
        callback();
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  const open = (): Set<{ close(): void }> => (server as unknown as { connections: Set<{ close(): void }> }).connections;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    received,
    get rcptAttempts() {
      return counts.rcpt;
    },
    get connections() {
      return counts.connections;
    },
    get mode() {
      return mode;
    },
    set mode(m: SmtpMode) {
      mode = m;
    },
    setMode(m: SmtpMode) {
      mode = m;
      for (const c of open()) c.close();
    },
    reset() {
      received.length = 0;
      counts.rcpt = 0;
      counts.connections = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `check` until it is truthy (or throws after `ms`). */
type Falsy = null | undefined | false | 0 | '';
export async function eventually<T>(
  check: () => Promise<T | Falsy> | T | Falsy,
  ms = 10_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as T;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The parts of a multipart email, by content type, each decoded (quoted-printable or base64) to text. */
export function mimeParts(mail: ReceivedMail): Record<string, string> {
  const boundary = /boundary="?([^";]+)"?/i.exec(mail.headers['content-type'] ?? '')?.[1];
  if (!boundary) return {};
  const parts: Record<string, string> = {};
  for (const chunk of mail.text.split(`--${boundary}`).slice(1)) {
    if (chunk.startsWith('--')) break;
    const split = chunk.indexOf('\n\n');
    const head = chunk.slice(0, split).replace(/\n[ \t]+/g, ' ');
    let body = chunk.slice(split + 2).replace(/\n$/, '');
    const type = /content-type:\s*([^;\n]+)/i.exec(head)?.[1].trim().toLowerCase() ?? 'text/plain';
    if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
      body = Buffer.from(
        body.replace(/=\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    } else if (/content-transfer-encoding:\s*base64/i.test(head)) {
      body = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    }
    parts[type] = body;
  }
  return parts;
}
