/**
 * Conditions (docs/journeys.md#conditions) and step paths (docs/journeys.md#step-records). Two
 * evaluators share one meaning: `triggerPaths` compiles a trigger's `where` into SQL/JSON paths
 * that the enrollment statement judges (set-based: every event of a batch against every journey
 * at once, the paths and their values read from the journey row, no value ever in the SQL text);
 * `fieldConditionHolds` judges branches and the why-not route in code. Strings compare by code
 * point, numbers by value, and across types an ordering op is false.
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
 * A trigger's `where`, compiled for the enrollment statement: SQL/JSON paths that PostgreSQL's
 * `jsonb_path_exists` judges in one call per (event, journey) pair, the twin of
 * `fieldConditionHolds`, stored on the journey row when its `where` is written
 * (JourneysRepository). `eventPath` runs on the event's properties (`@` is the properties
 * object), `contactPath` on the contact's attributes, with `$email` and `$name` passed beside
 * them; each is null when no condition reads that side. The conditions' values are variables
 * (`$v0`, `$v1`, … in `vars`), so a path holds only keys and `contains` substrings, each written
 * as a JSON string literal. Lax mode (a missing key is an empty result, never an error); every
 * comparison first checks the field's `type()` (which does not unwrap arrays), so an array never
 * matches a scalar and types never mix; strings compare by code point (jsonpath compares UTF-8
 * bytes), numbers by value.
 */
export interface TriggerPaths {
  eventPath: string | null;
  contactPath: string | null;
  vars: Record<string, ConditionValue>;
}

const typeOf = (v: ConditionValue): 'string' | 'number' | 'boolean' =>
  typeof v === 'string' ? 'string' : typeof v === 'number' ? 'number' : 'boolean';
const NEVER = '(1 == 2)';

/** The jsonpath predicate of one field condition on `subject` (`@."key"`, `$email`, `$name`). */
function predicate(subject: string, op: string, value: ConditionValue | undefined, variable: () => string): string {
  const present = `${subject}.type() != "null"`;
  const same = (v: ConditionValue): string => `${subject}.type() == "${typeOf(v)}"`;
  switch (op) {
    case 'exists':
      return `(${present})`;
    case 'not_exists':
      return `!(${present})`;
    case 'eq':
    case 'neq': {
      if (value === undefined) return op === 'eq' ? NEVER : `!${NEVER}`;
      const holds = `(${same(value)} && ${subject} == ${variable()})`;
      return op === 'eq' ? holds : `!${holds}`;
    }
    case 'contains':
      return typeof value === 'string' ? `(${subject}.type() == "string" && ${subject} like_regex ${JSON.stringify(value)} flag "q")` : NEVER;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof value !== 'string' && typeof value !== 'number') return NEVER;
      const cmp = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
      return `(${same(value)} && ${subject} ${cmp} ${variable()})`;
    }
    default:
      return NEVER;
  }
}

/**
 * Compiles a trigger's `where` (field conditions; see TriggerPaths). The conditions are ANDed, so
 * their order does not change what a path answers; `contains` ones (`like_regex`, several times
 * dearer than a comparison) go last on each side, so that a failed comparison spares them.
 */
export function triggerPaths(where: Condition[]): TriggerPaths {
  const onEvent: Array<[string, Condition['op']]> = [];
  const onContact: Array<[string, Condition['op']]> = [];
  const vars: Record<string, ConditionValue> = {};
  for (const c of where) {
    if (!('field' in c)) continue;
    const variable = (): string => {
      const name = `v${Object.keys(vars).length}`;
      vars[name] = c.value as ConditionValue;
      return `$${name}`;
    };
    if (c.field.startsWith('event.properties.')) {
      onEvent.push([predicate(`@.${JSON.stringify(c.field.slice('event.properties.'.length))}`, c.op, c.value, variable), c.op]);
    } else if (c.field.startsWith('contact.attributes.')) {
      onContact.push([predicate(`@.${JSON.stringify(c.field.slice('contact.attributes.'.length))}`, c.op, c.value, variable), c.op]);
    } else if (c.field === 'contact.email' || c.field === 'contact.name') {
      onContact.push([predicate(c.field === 'contact.email' ? '$email' : '$name', c.op, c.value, variable), c.op]);
    } else {
      onEvent.push([NEVER, c.op]);
    }
  }
  const path = (ps: Array<[string, Condition['op']]>): string | null => {
    if (ps.length === 0) return null;
    const ordered = [...ps.filter(([, op]) => op !== 'contains'), ...ps.filter(([, op]) => op === 'contains')];
    return `$ ? (${ordered.map(([p]) => p).join(' && ')})`;
  };
  return { eventPath: path(onEvent), contactPath: path(onContact), vars };
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
