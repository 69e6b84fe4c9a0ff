import { useState } from 'react';
import { api, unwrap, type Journey } from '../api';
import { Link } from '../router';
import { ErrorNote, errorMessage, LoadMore, Loaded, Loading, useAsync, usePaged, When } from '../ui';

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

function StatusBadge({ status }: { status: Journey['status'] }) {
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
      <h2>Journeys</h2>
      {paged.first.error && !paged.first.data && <ErrorNote message={paged.first.error} retry={paged.first.reload} />}
      {!paged.first.data && !paged.first.error && <Loading what="journeys" />}
      {paged.first.data && items.length === 0 && (
        <p className="muted">
          No journeys yet. Save a signup event in <Link to={`/tenants/${tenantId}/integrations`}>Integrations</Link> to seed
          the welcome journey.
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
              <dt>Re-entry</dt>
              <dd>{j.reentry === 'once' ? 'once per contact' : 'every matching event'}</dd>
              <dt>Updated</dt>
              <dd>
                <When at={j.updatedAt} />
              </dd>
            </dl>
            <StatusActions tenantId={tenantId} journey={j} onChange={journey.set} />
            <h3>Steps</h3>
            <ol className="steps">
              {j.steps.map((step, i) => (
                <li key={i}>
                  {step.type === 'wait' ? (
                    <>Wait {formatSeconds(step.seconds)}</>
                  ) : step.type === 'send_email' ? (
                    <>
                      Send email <strong>{step.subject}</strong>
                      <pre>{step.text ?? step.html}</pre>
                    </>
                  ) : step.type === 'branch' ? (
                    <>Branch on {step.if.length} condition{step.if.length === 1 ? '' : 's'}</>
                  ) : (
                    <>Update contact: {Object.keys(step.attributes).join(', ')}</>
                  )}
                </li>
              ))}
            </ol>
          </>
        )}
      </Loaded>
    </>
  );
}

function formatSeconds(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} day${seconds === 86400 ? '' : 's'}`;
  if (seconds % 3600 === 0) return `${seconds / 3600} hour${seconds === 3600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} seconds`;
}
