/**
 * Email templates (docs/journeys.md#templates): `{{contact.name}}`, `{{contact.email}}`,
 * `{{contact.attributes.KEY}}`, `{{event.type}}`, `{{event.properties.KEY}}`. Pure functions:
 * definitions are checked with `templateProblem` when saved, and `renderTemplate` never leaves a
 * raw `{{...}}` in what it returns, whatever it is given.
 */
import { cutCodePoints } from '../common/unicode.js';
import type { Contact } from '../contacts/contact.entity.js';

/** Flat scalar fields, as contacts' attributes and events' properties hold them. */
export type Fields = Contact['attributes'];
type Scalar = Fields[string];

export interface TemplateContext {
  contact: { name: string | null; email: string | null; attributes: Fields };
  event: { type: string; properties: Fields } | null;
}

export const TEMPLATE_VARIABLES = [
  'contact.name',
  'contact.email',
  'contact.attributes.KEY',
  'event.type',
  'event.properties.KEY',
] as const;

const TAG = /\{\{([^{}]*)\}\}/g;
/** KEY: what attribute and property keys may hold, short of braces and whitespace. */
const VARIABLE = /^(contact\.name|contact\.email|event\.type|contact\.attributes\.[^\s{}]{1,64}|event\.properties\.[^\s{}]{1,64})$/;

/** The first problem with a template's variables, or null. */
export function templateProblem(template: string): string | null {
  for (const match of template.matchAll(TAG)) {
    const name = match[1].trim();
    if (!VARIABLE.test(name)) {
      return `uses {{${name}}}, which is not a template variable (${TEMPLATE_VARIABLES.join(', ')})`;
    }
  }
  // What is left once the valid tags are gone must not open or close one.
  const rest = template.replace(TAG, '');
  if (rest.includes('{{') || rest.includes('}}')) return 'has an unclosed {{ or a stray }}';
  return null;
}

function lookup(name: string, ctx: TemplateContext): Scalar | undefined {
  if (name === 'contact.name') return ctx.contact.name;
  if (name === 'contact.email') return ctx.contact.email;
  if (name === 'event.type') return ctx.event?.type;
  if (name.startsWith('contact.attributes.')) return own(ctx.contact.attributes, name.slice('contact.attributes.'.length));
  if (name.startsWith('event.properties.')) return own(ctx.event?.properties, name.slice('event.properties.'.length));
  return undefined;
}

const own = (obj: Fields | undefined, key: string): Scalar | undefined =>
  obj && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;

/**
 * Renders a template; missing values (and anything that is not a known variable) render empty.
 * `escape` transforms each inserted value (HTML-escaping for an html body).
 */
export function renderTemplate(template: string, ctx: TemplateContext, escape: (value: string) => string = (v) => v): string {
  const rendered = template.replace(TAG, (_, raw: string) => {
    const value = lookup(raw.trim(), ctx);
    return value === null || value === undefined ? '' : escape(String(value));
  });
  // A value may itself contain braces; it is data, but the output must never show a raw tag.
  return rendered.replace(TAG, '');
}

/** A subject is one header line: rendered values must not break it. */
export function renderSubject(template: string, ctx: TemplateContext): string {
  return cutCodePoints(renderTemplate(template, ctx).replace(/[\r\n]+/g, ' ').trim(), 998);
}

/** Text made safe inside HTML, as element content or a quoted attribute. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * An html body as plain text, for the text part of a multipart/alternative email: scripts, styles
 * and comments dropped, block elements and `<br>` on lines of their own, list items bulleted,
 * links followed by their address, tags removed, entities decoded, blank runs collapsed.
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<a\b[^>]*?\bhref\s*=\s*("([^"]*)"|'([^']*)')[^>]*>([\s\S]*?)<\/a\s*>/gi, (_, _q, dq?: string, sq?: string, inner?: string) => {
      const href = decodeEntities(dq ?? sq ?? '');
      const label = (inner ?? '').replace(/<[^>]*>/g, '').trim();
      return label && decodeEntities(label) !== href ? `${label} (${href})` : href;
    })
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/?(p|div|h[1-6]|ul|ol|li|tr|table|blockquote|section|article|header|footer|hr)\b[^>]*>/gi, '\n')
    .replace(/<\/(td|th)\s*>/gi, ' ')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .replace(/[ \t\f\v]+/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A rendered send_email step: the subject, the text part, and the html part (or null). */
export interface RenderedEmail {
  subject: string;
  text: string;
  html: string | null;
}

/** docs/journeys.md#steps: html values escaped, the text part derived from the html when the step has no text. */
export function renderEmail(step: { subject: string; text?: string; html?: string }, ctx: TemplateContext): RenderedEmail {
  const html = step.html === undefined ? null : renderTemplate(step.html, ctx, escapeHtml);
  const text = step.text !== undefined ? renderTemplate(step.text, ctx) : htmlToText(html ?? '');
  return { subject: renderSubject(step.subject, ctx), text, html };
}
