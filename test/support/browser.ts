/**
 * Headless Chromium for the browser suite: the machine's Debian `chromium`, driven by
 * playwright-core (which cannot download browsers here), in a fresh profile per launch.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  const profile = await mkdtemp(path.join(tmpdir(), 'mara-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 60_000,
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export interface WatchedPage {
  page: Page;
  /** Uncaught exceptions and console errors of the page, as text. */
  errors: string[];
}

/**
 * A new page whose uncaught exceptions and console errors are collected. Chromium logs every
 * 4xx fetch as a console error; the ones the dashboard expects (the session probe answering
 * 401 when signed out, a wrong admin token) are the only ones let through.
 */
export async function openPage(context: BrowserContext): Promise<WatchedPage> {
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const expected =
      msg.text().startsWith('Failed to load resource: the server responded with a status of 401') &&
      new URL(msg.location().url).pathname === '/app/api/session';
    if (!expected) errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  return { page, errors };
}

/**
 * The pages one test opens, each watched for errors (openPage). `closeAll` closes them and answers
 * their errors, for the test's afterEach to check.
 */
export class PageWatch {
  private pages: WatchedPage[] = [];

  constructor(private readonly browser: () => Browser) {}

  async open(): Promise<Page> {
    const w = await openPage(this.browser().context);
    this.pages.push(w);
    return w.page;
  }

  async closeAll(): Promise<string[]> {
    const pages = this.pages;
    this.pages = [];
    for (const w of pages) await w.page.close();
    return pages.flatMap((w) => w.errors);
  }
}

/** The accessible description of a control (its aria-describedby text), as a screen reader says it. */
export function accessibleDescription(control: Locator): Promise<string> {
  return control.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((id: string) => el.ownerDocument.getElementById(id)?.textContent ?? '')
      .join(' ')
      .trim(),
  );
}

/** Polls `read` until it returns `expected` (compared as JSON), or fails after the deadline. */
export async function until<T>(read: () => Promise<T>, expected: T, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (JSON.stringify(last) === JSON.stringify(expected)) return;
    if (Date.now() > deadline) throw new Error(`expected ${JSON.stringify(expected)}, last saw ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Signs in through the form with the admin token; the Tenants page is open afterwards. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/app`);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();
}

/** Creates a tenant through the form; answers its id, with its Integrations page open. */
export async function createTenantInPage(page: Page, name: string): Promise<string> {
  await page.getByRole('link', { name: 'Tenants' }).click();
  await page.getByLabel('Tenant name').fill(name);
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await page.getByRole('heading', { name: 'Settings · Integrations' }).waitFor();
  await page.getByRole('heading', { name, level: 1 }).waitFor();
  return /\/app\/tenants\/([0-9a-f-]{36})\/integrations$/.exec(page.url())![1];
}

/** "Generate key" on the Integrations page: answers the raw key shown once. */
export async function generateKeyInPage(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Generate key' }).click();
  const field = page.getByRole('textbox', { name: 'New ingestion key' });
  await field.waitFor();
  return field.inputValue();
}

/** A POST to the tenant's Events API with its ingestion key. */
export async function postEvents(baseUrl: string, tenantId: string, key: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/api/tenants/${tenantId}/events`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
