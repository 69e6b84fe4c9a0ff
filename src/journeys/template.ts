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

/** Renders a template; missing values (and anything that is not a known variable) render empty. */
export function renderTemplate(template: string, ctx: TemplateContext): string {
  const rendered = template.replace(TAG, (_, raw: string) => {
    const value = lookup(raw.trim(), ctx);
    return value === null || value === undefined ? '' : String(value);
  });
  // A value may itself contain braces; it is data, but the output must never show a raw tag.
  return rendered.replace(TAG, '');
}

/** A subject is one header line: rendered values must not break it. */
export function renderSubject(template: string, ctx: TemplateContext): string {
  return cutCodePoints(renderTemplate(template, ctx).replace(/[\r\n]+/g, ' ').trim(), 998);
}
