/** A journey's runs (paged with the API's cursor) and one run's step history (docs/journeys.md#runs). */
import { api, unwrap, type Run, type StepRecord } from '../api';
import { describeCondition, stepLabel } from '../journey-model';
import { Link } from '../router';
import { ErrorNote, LoadMore, Loaded, Loading, useAsync, usePaged, When } from '../ui';
import { StatusBadge } from './Journeys';

function ExitReason({ run }: { run: Run }) {
  if (!run.exitReason) return <span className="muted">none</span>;
  return (
    <>
      exited on <code>{run.exitReason.eventType}</code> <span className="muted">(event {run.exitReason.eventId})</span>
    </>
  );
}

/** Runs in a table: each run's contact, or on the contact's own page (`showJourney`) its journey by name. */
export function RunsTable({
  tenantId,
  runs,
  label,
  showJourney,
  journeyNames = {},
}: {
  tenantId: string;
  runs: Run[];
  label: string;
  showJourney?: boolean;
  /** Journey names by id (the run holds the id only); an id without a name shows shortened. */
  journeyNames?: Record<string, string>;
}) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Run</th>
          <th scope="col">Status</th>
          {showJourney ? <th scope="col">Journey</th> : <th scope="col">Contact</th>}
          <th scope="col">Trigger</th>
          <th scope="col">Steps</th>
          <th scope="col">Started</th>
          <th scope="col">Exit</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr key={r.id}>
            <td>
              <Link to={`/tenants/${tenantId}/journeys/${r.journeyId}/runs/${r.id}`} aria-label={`Run ${r.id}`}>
                {r.id.slice(0, 8)}
              </Link>
            </td>
            <td>
              <StatusBadge status={r.status} />
            </td>
            <td>
              {showJourney ? (
                <Link to={`/tenants/${tenantId}/journeys/${r.journeyId}`}>{journeyNames[r.journeyId] ?? `journey ${r.journeyId.slice(0, 8)}`}</Link>
              ) : (
                <Link to={`/tenants/${tenantId}/contacts/${r.contactId}`} aria-label={`Contact ${r.contactId}`}>
                  {r.contactId.slice(0, 8)}
                </Link>
              )}
            </td>
            <td>
              <code>{r.trigger.eventType}</code>
            </td>
            <td>{r.steps.length}</td>
            <td>
              <When at={r.createdAt} />
            </td>
            <td>
              <ExitReason run={r} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunsList({ tenantId, journeyId }: { tenantId: string; journeyId: string }) {
  const paged = usePaged(
    (cursor) =>
      unwrap(
        api.GET('/admin/tenants/{tenantId}/journeys/{journeyId}/runs', {
          params: { path: { tenantId, journeyId }, query: { cursor, limit: 25 } },
        }),
      ),
    [tenantId, journeyId],
  );
  return (
    <>
      {paged.first.error && !paged.first.data && <ErrorNote message={paged.first.error} retry={paged.first.reload} />}
      {!paged.first.data && !paged.first.error && <Loading what="runs" />}
      {paged.first.data && paged.items.length === 0 && <p className="muted">No runs yet: an approved journey starts one per matching event.</p>}
      {paged.items.length > 0 && <RunsTable tenantId={tenantId} runs={paged.items} label="Runs" />}
      <div className="row">
        <button type="button" className="secondary" onClick={paged.first.reload} disabled={paged.first.loading}>
          Refresh runs
        </button>
        <LoadMore paged={paged} label="Load more runs" />
      </div>
    </>
  );
}

/** What a step record adds to its status: the wait's end, the message, the branch's conditions. */
function StepDetails({ record }: { record: StepRecord }) {
  const r = record as StepRecord & {
    until?: string;
    messageId?: string | null;
    reason?: string | null;
    conditions?: Array<{ condition: unknown; result: boolean }>;
  };
  return (
    <>
      {r.until && (
        <>
          until <When at={r.until} />
        </>
      )}
      {r.messageId && (
        <span>
          message <code>{r.messageId}</code>{' '}
        </span>
      )}
      {r.reason && <span>reason: {r.reason}</span>}
      {r.conditions && (
        <ul aria-label={`${stepLabel(r.path)} branch outcome`} className="plain">
          {r.conditions.map((c, i) => (
            <li key={i}>
              <code>{describeCondition(c.condition)}</code>: <strong>{String(c.result)}</strong>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function RunDetail({ tenantId, journeyId, runId }: { tenantId: string; journeyId: string; runId: string }) {
  const run = useAsync(
    () =>
      unwrap(
        api.GET('/admin/tenants/{tenantId}/journeys/{journeyId}/runs/{runId}', { params: { path: { tenantId, journeyId, runId } } }),
      ),
    [tenantId, journeyId, runId],
  );
  return (
    <>
      <p>
        <Link to={`/tenants/${tenantId}/journeys/${journeyId}`}>← Back to the journey</Link>
      </p>
      <Loaded state={run} what="the run">
        {(r) => (
          <>
            <h2>Run {r.id.slice(0, 8)}</h2>
            <dl className="facts">
              <dt>Status</dt>
              <dd>
                <StatusBadge status={r.status} />
              </dd>
              <dt>Contact</dt>
              <dd>
                <Link to={`/tenants/${tenantId}/contacts/${r.contactId}`}>{r.contactId}</Link>
              </dd>
              <dt>Trigger</dt>
              <dd>
                <code>{r.trigger.eventType}</code> <span className="muted">(event {r.trigger.eventId})</span>
              </dd>
              <dt>Exit reason</dt>
              <dd aria-label="Exit reason">
                <ExitReason run={r} />
              </dd>
              <dt>Started</dt>
              <dd>
                <When at={r.createdAt} />
              </dd>
              <dt>Updated</dt>
              <dd>
                <When at={r.updatedAt} />
              </dd>
            </dl>
            <div className="row actions">
              <button type="button" className="secondary" onClick={run.reload} disabled={run.loading}>
                Refresh run
              </button>
            </div>
            <h3>Step history</h3>
            {r.steps.length === 0 ? (
              <p className="muted">No step has run yet.</p>
            ) : (
              <table aria-label="Step history">
                <thead>
                  <tr>
                    <th scope="col">Path</th>
                    <th scope="col">Step</th>
                    <th scope="col">Status</th>
                    <th scope="col">At</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  {r.steps.map((s, i) => (
                    <tr key={i}>
                      <td>
                        <code>{s.path}</code>
                      </td>
                      <td>{s.type}</td>
                      <td>
                        <StatusBadge status={s.status} />
                      </td>
                      <td>
                        <When at={s.at} />
                      </td>
                      <td>
                        <StepDetails record={s} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </Loaded>
    </>
  );
}
