import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

/** The built server (`dist/`, made by `pretest`), started as a real process. */
export const MAIN = path.resolve('dist/src/main.js');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `dist/src/main.js` with `env` on top of this process's environment, minus the app's own variables. */
export function startMain(env: Record<string, string | undefined>, cwd = process.cwd()): Running {
  const clean = { ...process.env };
  for (const k of ['DATABASE_URL', 'ADMIN_API_TOKEN', 'SECRETS_KEY', 'TEST_DATABASE_URL', 'PORT', 'SMTP_URL', 'PROCESS_ROLE', 'LOG_LEVEL']) {
    delete clean[k];
  }
  const child = spawn(process.execPath, [MAIN], { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Waits until the process has written `text`; fails early if it exits. */
export async function waitForOutput(run: Running, text: string, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!run.output().includes(text)) {
    if (Date.now() > until) throw new Error(`timed out waiting for "${text}"; output:\n${run.output()}`);
    if (run.child.exitCode !== null) throw new Error(`process exited early:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The process's log lines (JSON) that parse, in order. */
export function logLines(run: Running): Array<Record<string, unknown>> {
  return run
    .output()
    .split('\n')
    .flatMap((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return typeof parsed === 'object' && parsed !== null ? [parsed as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
}
