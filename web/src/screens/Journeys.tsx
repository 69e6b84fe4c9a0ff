import { useState, type FormEvent } from 'react';
import { api, unwrap, type Journey } from '../api';
import { describeCondition, emailSteps, formatSeconds, stepLabel, type Condition, type Step } from '../journey-model';
import { Link } from '../router';
import { ErrorNote, errorMessage, LoadMore, Loaded, Loading, useAsync, usePaged, When } from '../ui';
import { RunsList } from './Runs';

/** Approve (draft or paused → active) or Pause (active → paused), as the journey's status allows. */
function StatusActions({ tenantId, journey, onChange }: { tenantId: string; journey: Journey; onChange: (j: Journey) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const act = (action: 'approve' | 'pause'): void => {
    setBusy(true);
    setError(null);
    const path = { tenantId, journeyId: journey.id };
    const call =
      action === 'approve'
        ? api.POST('/admin/tenants/{tenantId}/journeys/{journeyId}/approve', { params: { path } })
        : api.POST('/admin/tenants/{tenantId}/journeys/{journeyId}/pause', { params: { path } });
    unwrap(call).then(
      (j) => {
        setBusy(false);
        onChange(j);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorMessage(e));
      },
    );
  };
  return (
    <span className="row">
      {journey.status !== 'active' && (
        <button type="button" disabled={busy} onClick={() => act('approve')} aria-label={`Approve ${journey.name}`}>
          Approve
        </button>
      )}
      {journey.status === 'active' && (
        <button type="button" disabled={busy} onClick={() => act('pause')} aria-label={`Pause ${journey.name}`}>
          Pause
        </button>
      )}
      {error && <ErrorNote message={error} />}
    </span>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge ${status}`}>{status}</span>;
}

export function Journeys({ tenantId }: { tenantId: string }) {
  const paged = usePaged(
    (cursor) =>
      unwrap(api.GET('/admin/tenants/{tenantId}/journeys', { params: { path: { tenantId }, query: { cursor, limit: 50 } } })),
    [tenantId],
  );
  const [changed, setChanged] = useState<Record<string, Journey>>({});
  const items = paged.items.map((j) => changed[j.id] ?? j);
  return (
    <>
      <div className="row spread">
        <h2>Journeys</h2>
        <Link to={`/tenants/${tenantId}/journeys/new`} className="button">
          New journey
        </Link>
      </div>
      {paged.first.error && !paged.first.data && <ErrorNote message={paged.first.error} retry={paged.first.reload} />}
      {!paged.first.data && !paged.first.error && <Loading what="journeys" />}
      {paged.first.data && items.length === 0 && (
        <p className="muted">
          No journeys yet. Create one, or save a signup event in <Link to={`/tenants/${tenantId}/integrations`}>Integrations</Link>{' '}
          to seed the welcome journey.
        </p>
      )}
      {items.length > 0 && (
        <table aria-label="Journeys">
          <thead>
            <tr>
              <th scope="col">Journey</th>
              <th scope="col">Status</th>
              <th scope="col">Trigger</th>
              <th scope="col">Updated</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {items.map((j) => (
              <tr key={j.id}>
                <td>
                  <Link to={`/tenants/${tenantId}/journeys/${j.id}`}>{j.name}</Link>
                </td>
                <td>
                  <StatusBadge status={j.status} />
                </td>
                <td>
                  <code>{j.trigger.eventType}</code>
                </td>
                <td>
                  <When at={j.updatedAt} />
                </td>
                <td>
                  <StatusActions tenantId={tenantId} journey={j} onChange={(n) => setChanged((c) => ({ ...c, [n.id]: n }))} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore paged={paged} label="Load more journeys" />
    </>
  );
}

function Conditions({ conditions, label }: { conditions: unknown; label: string }) {
  const list = Array.isArray(conditions) ? (conditions as Condition[]) : [];
  if (list.length === 0) return <span className="muted">none</span>;
  return (
    <ul aria-label={label} className="plain">
      {list.map((c, i) => (
        <li key={i}>
          <code>{describeCondition(c)}</code>
        </li>
      ))}
    </ul>
  );
}

/** The steps, read-only, nested branches included. */
function StepsView({ steps, prefix }: { steps: unknown; prefix: string }) {
  const list = Array.isArray(steps) ? (steps as Step[]) : [];
  if (list.length === 0) return <p className="muted">No steps.</p>;
  return (
    <ol className="steps">
      {list.map((step, i) => {
        const path = `${prefix}${i}`;
        return (
          <li key={i} aria-label={stepLabel(path)}>
            <span className="muted">
              <code>{path}</code>{' '}
            </span>
            {step.type === 'wait' ? (
              <>Wait {formatSeconds(step.seconds)}</>
            ) : step.type === 'send_email' ? (
              <>
                Send email <strong>{step.subject}</strong>
                {step.text !== undefined && <pre>{step.text}</pre>}
                {step.html !== undefined && <pre aria-label={`${stepLabel(path)} HTML source`}>{step.html}</pre>}
              </>
            ) : step.type === 'branch' ? (
              <>
                Branch: if <Conditions conditions={step.if} label={`${stepLabel(path)} conditions`} />
                <div className="nested">
                  <strong>then</strong>
                  <StepsView steps={step.then} prefix={`${path}.then.`} />
                  <strong>else</strong>
                  <StepsView steps={step.else} prefix={`${path}.else.`} />
                </div>
              </>
            ) : step.type === 'update_contact' ? (
              <>
                Update contact <code>{JSON.stringify(step.attributes)}</code>
              </>
            ) : (
              <code>{JSON.stringify(step)}</code>
            )}
          </li>
        );
      })}
    </ol>
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A contact by its id, email or external id (the contacts search). */
async function findContactId(tenantId: string, text: string): Promise<string> {
  const value = text.trim();
  if (UUID.test(value)) return value;
  for (const by of value.includes('@') ? (['email', 'externalId'] as const) : (['externalId', 'email'] as const)) {
    const page = await unwrap(
      api.GET('/admin/tenants/{tenantId}/contacts', { params: { path: { tenantId }, query: { [by]: value, limit: 1 } } }),
    );
    if (page.items.length > 0) return page.items[0].id;
  }
  throw new Error(`No contact has the email or external id "${value}".`);
}

type Preview = { subject: string; text: string; html: string | null };

/** The email of a `send_email` step rendered for one contact; nothing is sent or stored. */
function EmailPreview({ tenantId, journey }: { tenantId: string; journey: Journey }) {
  const steps = emailSteps(journey.steps);
  const [path, setPath] = useState(steps[0]?.path ?? '');
  const [contact, setContact] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  if (steps.length === 0) return <p className="muted">This journey sends no email.</p>;
  const run = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setPreview(null);
    findContactId(tenantId, contact)
      .then((contactId) =>
        unwrap(
          api.POST('/admin/tenants/{tenantId}/journeys/{journeyId}/preview', {
            params: { path: { tenantId, journeyId: journey.id } },
            body: { contactId, path },
          }),
        ),
      )
      .then(
        (p) => {
          setBusy(false);
          setPreview(p);
        },
        (err: unknown) => {
          setBusy(false);
          setError(errorMessage(err));
        },
      );
  };
  return (
    <>
      <form onSubmit={run} className="row" aria-label="Preview an email">
        <div className="field">
          <label htmlFor="preview-step">Email step</label>
          <select id="preview-step" value={path} onChange={(e) => setPath(e.target.value)}>
            {steps.map((s) => (
              <option key={s.path} value={s.path}>
                {stepLabel(s.path)}: {s.subject}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="preview-contact">Contact email, external id or id</label>
          <input id="preview-contact" value={contact} onChange={(e) => setContact(e.target.value)} required />
        </div>
        <button type="submit" disabled={busy || contact.trim() === ''}>
          {busy ? 'Rendering…' : 'Preview email'}
        </button>
      </form>
      {error && <ErrorNote message={error} />}
      {preview && (
        <section aria-label="Email preview" className="card">
          <dl className="facts">
            <dt>Subject</dt>
            <dd aria-label="Preview subject">{preview.subject}</dd>
          </dl>
          <h5>Text</h5>
          <pre aria-label="Preview text">{preview.text}</pre>
          <h5>HTML</h5>
          {preview.html === null ? (
            <p className="muted">This step has no HTML part.</p>
          ) : (
            // No script runs in it (an empty sandbox), and it cannot reach the dashboard.
            <iframe title="Preview HTML" sandbox="" srcDoc={preview.html} className="email-frame" />
          )}
        </section>
      )}
    </>
  );
}

export function JourneyDetail({ tenantId, journeyId }: { tenantId: string; journeyId: string }) {
  const journey = useAsync(
    () => unwrap(api.GET('/admin/tenants/{tenantId}/journeys/{journeyId}', { params: { path: { tenantId, journeyId } } })),
    [tenantId, journeyId],
  );
  return (
    <>
      <p>
        <Link to={`/tenants/${tenantId}/journeys`}>← All journeys</Link>
      </p>
      <Loaded state={journey} what="the journey">
        {(j) => (
          <>
            <h2>{j.name}</h2>
            <dl className="facts">
              <dt>Status</dt>
              <dd>
                <StatusBadge status={j.status} />
              </dd>
              <dt>Trigger</dt>
              <dd>
                event <code>{j.trigger.eventType}</code>
              </dd>
              <dt>Filters</dt>
              <dd>
                <Conditions conditions={j.trigger.where} label="Trigger filters" />
              </dd>
              <dt>Re-entry</dt>
              <dd>{j.reentry === 'once' ? 'once per contact' : 'every matching event'}</dd>
              <dt>Exit on</dt>
              <dd>{j.exitOn.length === 0 ? <span className="muted">none</span> : j.exitOn.map((t) => <code key={t}>{t} </code>)}</dd>
              <dt>Max event age</dt>
              <dd>{formatSeconds(j.maxEventAgeSeconds)}</dd>
              <dt>Updated</dt>
              <dd>
                <When at={j.updatedAt} />
              </dd>
            </dl>
            <div className="row actions">
              <StatusActions tenantId={tenantId} journey={j} onChange={journey.set} />
              {j.status === 'active' ? (
                <span className="muted">Pause it to edit it.</span>
              ) : (
                <Link to={`/tenants/${tenantId}/journeys/${j.id}/edit`} className="button secondary">
                  Edit journey
                </Link>
              )}
            </div>
            <h3>Steps</h3>
            <StepsView steps={j.steps} prefix="" />
            <section aria-labelledby="preview-title">
              <h3 id="preview-title">Email preview</h3>
              <EmailPreview tenantId={tenantId} journey={j} />
            </section>
            <section aria-labelledby="runs-title">
              <h3 id="runs-title">Runs</h3>
              <RunsList tenantId={tenantId} journeyId={j.id} />
            </section>
          </>
        )}
      </Loaded>
    </>
  );
}
