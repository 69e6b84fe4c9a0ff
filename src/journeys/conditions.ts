/**
 * Conditions (docs/journeys.md#conditions) and step paths (docs/journeys.md#step-records). Two
 * evaluators share one meaning: `CONDITION_HOLDS_SQL` judges a trigger's stored `where` inside the
 * enrollment statement (set-based: every event of a batch against every journey at once, the
 * conditions read from the journey row, no value ever in the SQL text); `conditionHolds` judges
 * branches and the why-not route in code. Strings compare by code point (the "C" collation),
 * numbers by value, and across types an ordering op is false.
 */
import type { Condition, ConditionValue, JourneyStep } from './dto/journey.dto.js';
import type { Fields } from './template.js';

/** The contact and event a field condition reads. */
export interface ConditionSubject {
  contact: { name: string | null; email: string | null; attributes: Fields };
  event: { properties: Fields } | null;
}

const own = (obj: Fields | undefined, key: string): Fields[string] | undefined =>
  obj && Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;

/** A field's value; undefined when it has none. */
export function fieldValue(field: string, s: ConditionSubject): Fields[string] | undefined {
  if (field === 'contact.email') return s.contact.email;
  if (field === 'contact.name') return s.contact.name;
  if (field.startsWith('contact.attributes.')) return own(s.contact.attributes, field.slice('contact.attributes.'.length));
  if (field.startsWith('event.properties.')) return own(s.event?.properties, field.slice('event.properties.'.length));
  return undefined;
}

const byCodePoint = (a: string, b: string): number => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Whether a field condition holds for a value (undefined or null: the field has none). */
export function opHolds(op: string, f: Fields[string] | undefined, v: ConditionValue | undefined): boolean {
  const present = f !== undefined && f !== null;
  switch (op) {
    case 'exists':
      return present;
    case 'not_exists':
      return !present;
    case 'eq':
      return present && f === v;
    case 'neq':
      return !(present && f === v);
    case 'contains':
      return typeof f === 'string' && typeof v === 'string' && f.includes(v);
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      let cmp: number;
      if (typeof f === 'number' && typeof v === 'number') cmp = f === v ? 0 : f < v ? -1 : 1;
      else if (typeof f === 'string' && typeof v === 'string') cmp = byCodePoint(f, v);
      else return false;
      return op === 'gt' ? cmp > 0 : op === 'gte' ? cmp >= 0 : op === 'lt' ? cmp < 0 : cmp <= 0;
    }
    default:
      return false;
  }
}

/** A field condition on a contact and event. (`performed` conditions are judged by the step runner.) */
export function fieldConditionHolds(c: Extract<Condition, { field: string }>, s: ConditionSubject): boolean {
  return opHolds(c.op, fieldValue(c.field, s), c.value);
}

/**
 * The SQL twin of `fieldConditionHolds`, for one stored condition `w` (jsonb) against an event's
 * `properties` (jsonb) and a contact row `c`; the caller names them through `event`/`contact`.
 * True or false, never NULL.
 */
export function conditionHoldsSql(w: string, eventProperties: string, contact: string): string {
  const f = `CASE WHEN ${w}->>'field' LIKE 'event.properties.%' THEN ${eventProperties} -> substr(${w}->>'field', 18)
                  WHEN ${w}->>'field' LIKE 'contact.attributes.%' THEN ${contact}.attributes -> substr(${w}->>'field', 20)
                  WHEN ${w}->>'field' = 'contact.email' THEN to_jsonb(${contact}.email)
                  WHEN ${w}->>'field' = 'contact.name' THEN to_jsonb(${contact}.name) END`;
  const ordered = (cmp: string, a: string, b: string) =>
    `CASE ${w}->>'op' WHEN 'gt' THEN ${a} > ${b} WHEN 'gte' THEN ${a} >= ${b} WHEN 'lt' THEN ${a} < ${b} WHEN 'lte' THEN ${a} <= ${b} END /* ${cmp} */`;
  return `COALESCE((SELECT CASE ${w}->>'op'
      WHEN 'exists' THEN x.f IS NOT NULL AND jsonb_typeof(x.f) <> 'null'
      WHEN 'not_exists' THEN x.f IS NULL OR jsonb_typeof(x.f) = 'null'
      WHEN 'eq' THEN x.f = x.v
      WHEN 'neq' THEN x.f IS NULL OR x.f <> x.v
      WHEN 'contains' THEN jsonb_typeof(x.f) = 'string' AND jsonb_typeof(x.v) = 'string' AND strpos(x.f #>> '{}', x.v #>> '{}') > 0
      ELSE CASE
        WHEN jsonb_typeof(x.f) = 'number' AND jsonb_typeof(x.v) = 'number' THEN ${ordered('numbers', '(x.f)::numeric', '(x.v)::numeric')}
        WHEN jsonb_typeof(x.f) = 'string' AND jsonb_typeof(x.v) = 'string'
          THEN ${ordered('strings', `(x.f #>> '{}') COLLATE "C"`, `(x.v #>> '{}') COLLATE "C"`)}
        ELSE false END
    END FROM (SELECT ${f} AS f, ${w}->'value' AS v) x), false)`;
}

/* Step paths: "0", "2", "2.then.0", "2.else.1.then.0". */

type StepList = JourneyStep[];

/** The step at `path`, or undefined. */
export function stepAt(steps: StepList, path: string): JourneyStep | undefined {
  const parts = path.split('.');
  let list: StepList | undefined = steps;
  let step: JourneyStep | undefined;
  for (let i = 0; i < parts.length; i += 2) {
    if (!list) return undefined;
    const index = Number(parts[i]);
    step = Number.isInteger(index) ? list[index] : undefined;
    if (!step) return undefined;
    if (i + 1 < parts.length) {
      if (step.type !== 'branch') return undefined;
      list = parts[i + 1] === 'then' ? step.then : parts[i + 1] === 'else' ? step.else : undefined;
    }
  }
  return step;
}

/** The step after `path` once it is done (a branch's own list finished: the step after the branch); null at the end. */
export function pathAfter(steps: StepList, path: string): string | null {
  const parts = path.split('.');
  const index = Number(parts[parts.length - 1]);
  const parentPath = parts.slice(0, -2).join('.');
  const list: StepList | undefined =
    parts.length === 1 ? steps : (() => {
      const parent = stepAt(steps, parentPath);
      if (parent?.type !== 'branch') return undefined;
      return parts[parts.length - 2] === 'then' ? parent.then : parent.else;
    })();
  if (list && index + 1 < list.length) return [...parts.slice(0, -1), String(index + 1)].join('.');
  return parts.length === 1 ? null : pathAfter(steps, parentPath);
}

/** Where a run goes after the branch at `path` chose `way`: the chosen list's first step, or past the branch. */
export function pathIntoBranch(steps: StepList, path: string, way: 'then' | 'else'): string | null {
  const branch = stepAt(steps, path);
  const list = branch?.type === 'branch' ? (way === 'then' ? branch.then : branch.else) : undefined;
  return list && list.length > 0 ? `${path}.${way}.0` : pathAfter(steps, path);
}

/** `steps[2].then[0]` for `2.then.0`: how validation messages name a step. */
export function bodyPathOf(path: string): string {
  const parts = path.split('.');
  let out = `steps[${parts[0]}]`;
  for (let i = 1; i < parts.length; i += 2) out += `.${parts[i]}[${parts[i + 1]}]`;
  return out;
}
