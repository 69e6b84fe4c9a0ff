/**
 * Create or edit a draft journey (docs/dashboard.md#journeys): a structured form for every field
 * of a journey (docs/journeys.md) and a raw JSON view of the exact API body. Both edit the same
 * object; the server validates it and its message names the offending path.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { api, unwrap, type Schemas } from '../api';
import {
  bodyOf,
  newJourney,
  newStep,
  OP_LABELS,
  OPS,
  splitErrorPath,
  STEP_TYPE_LABELS,
  stepLabel,
  type BranchStep,
  type Condition,
  type JourneyBody,
  type Scalar,
  type SendEmailStep,
  type Step,
  type StepType,
  type UpdateContactStep,
} from '../journey-model';
import { href, Link, navigate } from '../router';
import { errorMessage, Loaded, useAsync } from '../ui';

const setAt = <T,>(list: T[], i: number, value: T): T[] => list.map((x, j) => (j === i ? value : x));
const removeAt = <T,>(list: T[], i: number): T[] => list.filter((_, j) => j !== i);
const move = <T,>(list: T[], i: number, by: number): T[] => {
  const next = [...list];
  const [item] = next.splice(i, 1);
  next.splice(i + by, 0, item);
  return next;
};
const asArray = <T,>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

let ids = 0;
/** A stable id for a label's `htmlFor`. */
function useId(): string {
  const [id] = useState(() => `f${++ids}`);
  return id;
}

function Field({ label, hint, children }: { label: string; hint?: string; children: (id: string, hintId?: string) => ReactNode }) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, hintId)}
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A number field that lets the text be half-typed; the body gets a number once it is one. */
function NumberInput({ id, value, onChange, min, max, describedBy }: { id: string; value: unknown; onChange: (n: number) => void; min?: number; max?: number; describedBy?: string }) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  useEffect(() => {
    if (Number(text) !== value || text.trim() === '') setText(value === undefined ? '' : String(value));
    // Only an outside change (the JSON view) resets the text (`value` is the only dependency on purpose).
  }, [value]);
  return (
    <input
      id={id}
      type="number"
      inputMode="numeric"
      min={min}
      max={max}
      value={text}
      aria-describedby={describedBy}
      onChange={(e) => {
        setText(e.target.value);
        const n = Number(e.target.value);
        if (e.target.value.trim() !== '' && Number.isFinite(n)) onChange(n);
      }}
    />
  );
}

/** Event types separated by commas or spaces. */
function EventTypesInput({ id, value, onChange, describedBy }: { id: string; value: string[]; onChange: (v: string[]) => void; describedBy?: string }) {
  const parse = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);
  const [text, setText] = useState(value.join(', '));
  useEffect(() => {
    if (JSON.stringify(parse(text)) !== JSON.stringify(value)) setText(value.join(', '));
  }, [JSON.stringify(value)]);
  return (
    <input
      id={id}
      value={text}
      aria-describedby={describedBy}
      onChange={(e) => {
        setText(e.target.value);
        onChange(parse(e.target.value));
      }}
    />
  );
}

type ValueKind = 'string' | 'number' | 'boolean';
const kindOf = (v: unknown): ValueKind => (typeof v === 'number' ? 'number' : typeof v === 'boolean' ? 'boolean' : 'string');
const convert = (v: unknown, kind: ValueKind): Scalar => {
  if (kind === 'number') return Number.isFinite(Number(v)) && v !== '' ? Number(v) : 0;
  if (kind === 'boolean') return v === true || v === 'true';
  return v === undefined || v === null ? '' : String(v);
};

/** A scalar value with its type: text, number or true/false. */
function ScalarInput({ label, value, onChange }: { label: string; value: unknown; onChange: (v: Scalar) => void }) {
  const kind = kindOf(value);
  return (
    <>
      <Field label={`${label} type`}>
        {(id) => (
          <select id={id} value={kind} onChange={(e) => onChange(convert(value, e.target.value as ValueKind))}>
            <option value="string">text</option>
            <option value="number">number</option>
            <option value="boolean">true/false</option>
          </select>
        )}
      </Field>
      <Field label={label}>
        {(id) =>
          kind === 'boolean' ? (
            <select id={id} value={String(value)} onChange={(e) => onChange(e.target.value === 'true')}>
              <option value="true">true</option>
              <option value="false">false</option>
            </select>
          ) : kind === 'number' ? (
            <NumberInput id={id} value={value} onChange={onChange} />
          ) : (
            <input id={id} value={String(value ?? '')} onChange={(e) => onChange(e.target.value)} />
          )
        }
      </Field>
    </>
  );
}

const FIELD_HINT = 'event.properties.KEY, contact.attributes.KEY, contact.email or contact.name';

/** The `where` of a trigger or the `if` of a branch: all of them must hold. */
function ConditionsEditor({
  conditions,
  label,
  addLabel,
  allowPerformed,
  onChange,
}: {
  conditions: Condition[];
  label: string;
  addLabel: string;
  allowPerformed: boolean;
  onChange: (c: Condition[]) => void;
}) {
  return (
    <div className="conditions">
      {conditions.length === 0 && <p className="muted">No conditions.</p>}
      {conditions.map((c, i) => {
        const name = `${label} ${i + 1}`;
        const performed = c.performed !== undefined;
        const ops = performed ? (['exists', 'not_exists'] as const) : OPS;
        const needsValue = !performed && c.op !== 'exists' && c.op !== 'not_exists';
        const update = (next: Condition): void => onChange(setAt(conditions, i, next));
        return (
          <div key={i} className="row condition" role="group" aria-label={name}>
            {allowPerformed && (
              <Field label={`${name} kind`}>
                {(id) => (
                  <select
                    id={id}
                    value={performed ? 'performed' : 'field'}
                    onChange={(e) =>
                      update(
                        e.target.value === 'performed'
                          ? { performed: '', op: 'exists' }
                          : { field: 'contact.attributes.', op: 'eq', value: '' },
                      )
                    }
                  >
                    <option value="field">a field</option>
                    <option value="performed">an event performed since the run started</option>
                  </select>
                )}
              </Field>
            )}
            {performed ? (
              <Field label={`${name} event type`}>
                {(id) => <input id={id} value={c.performed ?? ''} onChange={(e) => update({ ...c, performed: e.target.value })} />}
              </Field>
            ) : (
              <Field label={`${name} field`} hint={i === 0 ? FIELD_HINT : undefined}>
                {(id, hintId) => (
                  <input id={id} value={c.field ?? ''} aria-describedby={hintId} onChange={(e) => update({ ...c, field: e.target.value })} />
                )}
              </Field>
            )}
            <Field label={`${name} operator`}>
              {(id) => (
                <select
                  id={id}
                  value={c.op}
                  onChange={(e) => {
                    const op = e.target.value;
                    const next: Condition = { ...c, op };
                    if (op === 'exists' || op === 'not_exists') delete next.value;
                    else if (next.value === undefined && !performed) next.value = '';
                    update(next);
                  }}
                >
                  {!(ops as readonly string[]).includes(c.op) && <option value={c.op}>{c.op}</option>}
                  {ops.map((op) => (
                    <option key={op} value={op}>
                      {OP_LABELS[op]}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            {needsValue && <ScalarInput label={`${name} value`} value={c.value} onChange={(value) => update({ ...c, value })} />}
            <button type="button" className="secondary" onClick={() => onChange(removeAt(conditions, i))}>
              Remove {name.toLowerCase()}
            </button>
          </div>
        );
      })}
      <button type="button" className="secondary" onClick={() => onChange([...conditions, { field: 'event.properties.', op: 'eq', value: '' }])}>
        {addLabel}
      </button>
    </div>
  );
}

/** `update_contact`'s attributes: name, type and value; null removes the attribute. */
function AttributesEditor({ step, label, onChange }: { step: UpdateContactStep; label: string; onChange: (s: Step) => void }) {
  const entries = Object.entries(step.attributes ?? {});
  const set = (next: Array<[string, Scalar | null]>): void => onChange({ ...step, attributes: Object.fromEntries(next) });
  return (
    <div className="conditions">
      {entries.length === 0 && <p className="muted">No attributes yet.</p>}
      {entries.map(([key, value], i) => {
        const name = `${label} attribute ${i + 1}`;
        return (
          <div key={i} className="row condition" role="group" aria-label={name}>
            <Field label={`${name} name`}>
              {(id) => <input id={id} value={key} onChange={(e) => set(setAt(entries, i, [e.target.value, value]))} />}
            </Field>
            <Field label={`${name} removes it`}>
              {(id) => (
                <select id={id} value={value === null ? 'yes' : 'no'} onChange={(e) => set(setAt(entries, i, [key, e.target.value === 'yes' ? null : '']))}>
                  <option value="no">no: set a value</option>
                  <option value="yes">yes: set it to null</option>
                </select>
              )}
            </Field>
            {value !== null && <ScalarInput label={`${name} value`} value={value} onChange={(v) => set(setAt(entries, i, [key, v]))} />}
            <button type="button" className="secondary" onClick={() => set(removeAt(entries, i))}>
              Remove {name.toLowerCase()}
            </button>
          </div>
        );
      })}
      <button
        type="button"
        className="secondary"
        onClick={() => set([...entries, [`attribute_${entries.length + 1}`, '']])}
      >
        Add attribute to {label.toLowerCase()}
      </button>
    </div>
  );
}

function EmailFields({ step, label, onChange }: { step: SendEmailStep; label: string; onChange: (s: Step) => void }) {
  // `text` and `html` are each optional (one of them is needed): an empty box leaves it out.
  const setOptional = (key: 'text' | 'html', value: string): void => {
    const next: SendEmailStep = { ...step };
    if (value === '') delete next[key];
    else next[key] = value;
    onChange(next);
  };
  return (
    <>
      <Field label={`${label} subject`}>
        {(id) => <input id={id} value={step.subject ?? ''} onChange={(e) => onChange({ ...step, subject: e.target.value })} />}
      </Field>
      <Field label={`${label} text`} hint="Plain text. Templates: {{contact.name}}, {{contact.email}}, {{contact.attributes.KEY}}, {{event.type}}, {{event.properties.KEY}}.">
        {(id, hintId) => (
          <textarea id={id} rows={4} aria-describedby={hintId} value={step.text ?? ''} onChange={(e) => setOptional('text', e.target.value)} />
        )}
      </Field>
      <Field label={`${label} HTML`} hint="Optional. Values put into the HTML are escaped.">
        {(id, hintId) => (
          <textarea id={id} rows={4} aria-describedby={hintId} value={step.html ?? ''} onChange={(e) => setOptional('html', e.target.value)} />
        )}
      </Field>
    </>
  );
}

function StepEditor({ step, path, onChange }: { step: Step; path: string; onChange: (s: Step) => void }) {
  const label = stepLabel(path);
  switch (step.type) {
    case 'wait':
      return (
        <Field label={`${label} wait seconds`} hint="0 to 31,622,400 (366 days).">
          {(id, hintId) => <NumberInput id={id} min={0} max={31_622_400} value={step.seconds} describedBy={hintId} onChange={(seconds) => onChange({ ...step, seconds })} />}
        </Field>
      );
    case 'send_email':
      return <EmailFields step={step} label={label} onChange={onChange} />;
    case 'update_contact':
      return <AttributesEditor step={step} label={label} onChange={onChange} />;
    case 'branch': {
      const b: BranchStep = step;
      return (
        <>
          <h5>If all of these hold</h5>
          <ConditionsEditor
            conditions={asArray<Condition>(b.if)}
            label={`${label} condition`}
            addLabel={`Add condition to ${label.toLowerCase()}`}
            allowPerformed
            onChange={(conditions) => onChange({ ...b, if: conditions })}
          />
          <h5>Then</h5>
          <StepsEditor steps={asArray<Step>(b.then)} prefix={`${path}.then.`} where={`${label} then`} onChange={(then) => onChange({ ...b, then })} />
          <h5>Else</h5>
          <StepsEditor steps={asArray<Step>(b.else)} prefix={`${path}.else.`} where={`${label} else`} onChange={(otherwise) => onChange({ ...b, else: otherwise })} />
        </>
      );
    }
    default:
      return <p className="muted">A step of type {JSON.stringify((step as { type: unknown }).type)}: edit it in the raw JSON view.</p>;
  }
}

const STEP_TYPES: StepType[] = ['send_email', 'wait', 'branch', 'update_contact'];

function StepsEditor({ steps, prefix, where, onChange }: { steps: Step[]; prefix: string; where: string; onChange: (s: Step[]) => void }) {
  return (
    <div className="step-list">
      {steps.length === 0 && <p className="muted">No steps.</p>}
      <ol className="steps">
        {steps.map((step, i) => {
          const path = `${prefix}${i}`;
          const label = stepLabel(path);
          return (
            <li key={i}>
              <fieldset className="step">
                <legend>
                  {label}: {STEP_TYPE_LABELS[step?.type] ?? String(step?.type)}
                </legend>
                <StepEditor step={step} path={path} onChange={(s) => onChange(setAt(steps, i, s))} />
                <div className="row">
                  <button type="button" className="secondary" disabled={i === 0} onClick={() => onChange(move(steps, i, -1))}>
                    Move {label.toLowerCase()} up
                  </button>
                  <button type="button" className="secondary" disabled={i === steps.length - 1} onClick={() => onChange(move(steps, i, 1))}>
                    Move {label.toLowerCase()} down
                  </button>
                  <button type="button" className="secondary" onClick={() => onChange(removeAt(steps, i))}>
                    Remove {label.toLowerCase()}
                  </button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <div className="row">
        {STEP_TYPES.map((type) => (
          <button key={type} type="button" className="secondary" onClick={() => onChange([...steps, newStep(type)])}>
            Add {STEP_TYPE_LABELS[type]} step to {where.toLowerCase()}
          </button>
        ))}
      </div>
    </div>
  );
}

function StructuredForm({ body, onChange }: { body: JourneyBody; onChange: (b: JourneyBody) => void }) {
  const trigger = body.trigger ?? { type: 'event', eventType: '' };
  return (
    <>
      <Field label="Journey name">
        {(id) => <input id={id} value={body.name ?? ''} maxLength={200} onChange={(e) => onChange({ ...body, name: e.target.value })} />}
      </Field>
      <fieldset>
        <legend>Trigger</legend>
        <Field label="Trigger event type" hint="The track event that starts a run, e.g. user.signed_up.">
          {(id, hintId) => (
            <input
              id={id}
              value={trigger.eventType ?? ''}
              aria-describedby={hintId}
              onChange={(e) => onChange({ ...body, trigger: { ...trigger, type: 'event', eventType: e.target.value } })}
            />
          )}
        </Field>
        <h5>Only when all of these hold</h5>
        <ConditionsEditor
          conditions={asArray<Condition>(trigger.where)}
          label="Trigger filter"
          addLabel="Add trigger filter"
          allowPerformed={false}
          onChange={(where) => onChange({ ...body, trigger: { ...trigger, where } })}
        />
      </fieldset>
      <div className="row">
        <Field label="Re-entry">
          {(id) => (
            <select id={id} value={body.reentry ?? 'once'} onChange={(e) => onChange({ ...body, reentry: e.target.value as JourneyBody['reentry'] })}>
              <option value="once">once per contact</option>
              <option value="every_event">on every matching event</option>
            </select>
          )}
        </Field>
        <Field label="Max event age (seconds)" hint="Older events enroll no one. Default 86400 (a day).">
          {(id, hintId) => (
            <NumberInput
              id={id}
              min={0}
              max={31_622_400}
              value={body.maxEventAgeSeconds}
              describedBy={hintId}
              onChange={(maxEventAgeSeconds) => onChange({ ...body, maxEventAgeSeconds })}
            />
          )}
        </Field>
      </div>
      <Field label="Exit on event types" hint="Comma-separated: an event of one of these types ends the contact's runs at once.">
        {(id, hintId) => <EventTypesInput id={id} value={asArray<string>(body.exitOn)} describedBy={hintId} onChange={(exitOn) => onChange({ ...body, exitOn })} />}
      </Field>
      <h4>Steps</h4>
      <StepsEditor steps={asArray<Step>(body.steps)} prefix="" where="the journey" onChange={(steps) => onChange({ ...body, steps })} />
    </>
  );
}

/** The server's refusal, with the field path it names. */
function SaveError({ message }: { message: string }) {
  const { path, text } = splitErrorPath(message);
  return (
    <div role="alert" className="error">
      <span>
        Not saved: {path && <code>{path}</code>}
        {path ? ': ' : ''}
        {text}
      </span>
    </div>
  );
}

function Editor({ tenantId, journeyId, initial }: { tenantId: string; journeyId?: string; initial: JourneyBody }) {
  const [body, setBody] = useState<JourneyBody>(initial);
  const [view, setView] = useState<'form' | 'json'>('form');
  const [jsonText, setJsonText] = useState('');
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);

  const showJson = (): void => {
    setJsonText(JSON.stringify(body, null, 2));
    setJsonError(null);
    setView('json');
  };
  const showForm = (): void => {
    if (jsonError) return;
    setView('form');
  };
  const editJson = (text: string): void => {
    setJsonText(text);
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        setJsonError('The journey must be a JSON object.');
        return;
      }
      setBody(parsed as JourneyBody);
      setJsonError(null);
    } catch (e) {
      setJsonError(`Not valid JSON: ${errorMessage(e)}`);
    }
  };

  const save = (e: FormEvent): void => {
    e.preventDefault();
    if (jsonError) return;
    setSaving(true);
    setSaveError(null);
    // The raw view may hold anything: the server validates the body and names what is wrong.
    const call = journeyId
      ? api.PATCH('/admin/tenants/{tenantId}/journeys/{journeyId}', {
          params: { path: { tenantId, journeyId } },
          body: body as unknown as Schemas['UpdateJourneyDto'],
        })
      : api.POST('/admin/tenants/{tenantId}/journeys', { params: { path: { tenantId } }, body: body as unknown as Schemas['CreateJourneyDto'] });
    unwrap(call).then(
      (j) => navigate(href(`/tenants/${tenantId}/journeys/${j.id}`)),
      (err: unknown) => {
        setSaving(false);
        setSaveError(errorMessage(err));
      },
    );
  };

  return (
    <form onSubmit={save} aria-label={journeyId ? 'Edit journey' : 'New journey'} className="editor">
      <div className="row" role="group" aria-label="Editor view">
        <button type="button" className={view === 'form' ? '' : 'secondary'} aria-pressed={view === 'form'} onClick={showForm} disabled={view === 'json' && !!jsonError}>
          Form
        </button>
        <button type="button" className={view === 'json' ? '' : 'secondary'} aria-pressed={view === 'json'} onClick={showJson}>
          Raw JSON
        </button>
      </div>
      {view === 'form' ? (
        <StructuredForm body={body} onChange={setBody} />
      ) : (
        <div className="field">
          <label htmlFor="journey-json">Journey JSON</label>
          <textarea id="journey-json" rows={28} spellCheck={false} value={jsonText} aria-describedby="journey-json-state" onChange={(e) => editJson(e.target.value)} />
          <p id="journey-json-state" className={jsonError ? 'error' : 'hint'} role={jsonError ? 'alert' : undefined}>
            {jsonError ?? 'The exact body the API receives (docs/journeys.md).'}
          </p>
        </div>
      )}
      {saveError && <SaveError message={saveError} />}
      <div className="row">
        <button type="submit" disabled={saving || !!jsonError}>
          {saving ? 'Saving…' : journeyId ? 'Save draft' : 'Create draft'}
        </button>
        <Link to={journeyId ? `/tenants/${tenantId}/journeys/${journeyId}` : `/tenants/${tenantId}/journeys`}>Cancel</Link>
      </div>
    </form>
  );
}

export function NewJourney({ tenantId }: { tenantId: string }) {
  return (
    <>
      <p>
        <Link to={`/tenants/${tenantId}/journeys`}>← All journeys</Link>
      </p>
      <h2>New journey</h2>
      <p className="muted">A new journey is a draft: it sends nothing until it is approved.</p>
      <Editor tenantId={tenantId} initial={newJourney()} />
    </>
  );
}

export function EditJourney({ tenantId, journeyId }: { tenantId: string; journeyId: string }) {
  const journey = useAsync(
    () => unwrap(api.GET('/admin/tenants/{tenantId}/journeys/{journeyId}', { params: { path: { tenantId, journeyId } } })),
    [tenantId, journeyId],
  );
  return (
    <>
      <p>
        <Link to={`/tenants/${tenantId}/journeys/${journeyId}`}>← Back to the journey</Link>
      </p>
      <Loaded state={journey} what="the journey">
        {(j) => (
          <>
            <h2>Edit {j.name}</h2>
            {j.status === 'active' && <p className="error">This journey is active: pause it before saving changes.</p>}
            <Editor tenantId={tenantId} journeyId={journeyId} initial={bodyOf(j as unknown as JourneyBody)} />
          </>
        )}
      </Loaded>
    </>
  );
}
