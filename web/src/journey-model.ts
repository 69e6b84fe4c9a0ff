/**
 * The journey body as the API takes it (docs/journeys.md): the editor's structured form and its
 * raw JSON view edit this one object, so the JSON view always shows the exact request body.
 * The types are loose on purpose: the raw view may hold anything, and the server is the judge.
 */

export type Scalar = string | number | boolean;

export const OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'not_exists'] as const;
export type Op = (typeof OPS)[number];
export const OP_LABELS: Record<Op, string> = {
  eq: 'equals',
  neq: 'does not equal',
  gt: 'greater than',
  gte: 'at least',
  lt: 'less than',
  lte: 'at most',
  contains: 'contains',
  exists: 'exists',
  not_exists: 'does not exist',
};

/** `{field, op, value?}`, or in branches only `{performed, op: exists | not_exists}`. */
export interface Condition {
  field?: string;
  performed?: string;
  op: string;
  value?: Scalar;
}

export interface WaitStep {
  type: 'wait';
  seconds: number;
}
export interface SendEmailStep {
  type: 'send_email';
  subject: string;
  text?: string;
  html?: string;
}
export interface BranchStep {
  type: 'branch';
  if: Condition[];
  then: Step[];
  else?: Step[];
}
export interface UpdateContactStep {
  type: 'update_contact';
  attributes: Record<string, Scalar | null>;
}
export type Step = WaitStep | SendEmailStep | BranchStep | UpdateContactStep;
export type StepType = Step['type'];

export const STEP_TYPE_LABELS: Record<StepType, string> = {
  wait: 'wait',
  send_email: 'email',
  branch: 'branch',
  update_contact: 'update contact',
};

export interface JourneyBody {
  name: string;
  trigger: { type: 'event'; eventType: string; where?: Condition[] };
  reentry?: 'once' | 'every_event';
  exitOn?: string[];
  maxEventAgeSeconds?: number;
  steps: Step[];
}

export const DEFAULT_MAX_EVENT_AGE_SECONDS = 86400;

export function newJourney(): JourneyBody {
  return {
    name: '',
    trigger: { type: 'event', eventType: '', where: [] },
    reentry: 'once',
    exitOn: [],
    maxEventAgeSeconds: DEFAULT_MAX_EVENT_AGE_SECONDS,
    steps: [newStep('send_email')],
  };
}

export function newStep(type: StepType): Step {
  switch (type) {
    case 'wait':
      return { type, seconds: 86400 };
    case 'send_email':
      return { type, subject: '', text: '' };
    case 'branch':
      return { type, if: [{ field: 'contact.attributes.plan', op: 'eq', value: '' }], then: [], else: [] };
    case 'update_contact':
      return { type, attributes: {} };
  }
}

/** The editable fields of a journey, in the API's order: what a PATCH of the whole draft sends. */
export function bodyOf(journey: JourneyBody): JourneyBody {
  const { name, trigger, reentry, exitOn, maxEventAgeSeconds, steps } = journey;
  // Through JSON, as it will be sent: absent fields stay absent.
  return JSON.parse(JSON.stringify({ name, trigger, reentry, exitOn, maxEventAgeSeconds, steps })) as JourneyBody;
}

/** `"2.then.0"` → `"Step 3 then 1"`: the API's 0-based path as people count. */
export function stepLabel(path: string): string {
  const parts = path.split('.');
  const words = [`Step ${Number(parts[0]) + 1}`];
  for (let i = 1; i < parts.length; i += 2) words.push(`${parts[i]} ${Number(parts[i + 1]) + 1}`);
  return words.join(' ');
}

/** Every `send_email` step with its path, depth first, as the preview route names them. */
export function emailSteps(steps: unknown, prefix = ''): Array<{ path: string; subject: string }> {
  if (!Array.isArray(steps)) return [];
  const out: Array<{ path: string; subject: string }> = [];
  steps.forEach((raw: unknown, i) => {
    const step = raw as Partial<Step> | null;
    const path = `${prefix}${i}`;
    if (step?.type === 'send_email') out.push({ path, subject: String(step.subject ?? '') });
    if (step?.type === 'branch') {
      out.push(...emailSteps(step.then, `${path}.then.`));
      out.push(...emailSteps(step.else, `${path}.else.`));
    }
  });
  return out;
}

/** A condition as a sentence, e.g. `event.properties.plan equals "pro"`. */
export function describeCondition(c: unknown): string {
  const cond = (c ?? {}) as Partial<Condition>;
  const op = OP_LABELS[cond.op as Op] ?? String(cond.op);
  if (cond.performed !== undefined) {
    return `${cond.op === 'not_exists' ? 'has not performed' : 'performed'} ${cond.performed}`;
  }
  const value = cond.value === undefined ? '' : ` ${JSON.stringify(cond.value)}`;
  return `${String(cond.field)} ${op}${value}`;
}

export function formatSeconds(seconds: number): string {
  if (seconds === 0) return '0 seconds';
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} seconds`;
}

/**
 * A validation message of the API names the offending field first (`steps[2].if[0].field: ...`,
 * docs/api.md#errors): split it off so the form can show where.
 */
export function splitErrorPath(message: string): { path: string | null; text: string } {
  const m = /^([A-Za-z_][\w]*(?:\[\d+\]|\.[A-Za-z_][\w]*)*): (.*)$/s.exec(message);
  return m ? { path: m[1], text: m[2] } : { path: null, text: message };
}
