/**
 * Settings → Integrations, the rows the product's docs send users to: the Events API (URL, key,
 * signup event, the prompt for a coding agent), Billing (Stripe, Polar), Clerk, and the
 * ingestion health strip. Secrets are write-only: the page shows whether one is stored, never
 * its value. Each provider shows its last deliveries from the delivery log, with a replay for
 * the ones that failed.
 */
import { useEffect, useState, type FormEvent } from 'react';
import {
  api,
  CONNECTOR_LABELS,
  unwrap,
  type ClerkImport,
  type IngestionHealth,
  type IngestionKey,
  type Integrations as IntegrationsRow,
  type WebhookDelivery,
  type WebhookProvider,
  type WebhookReplay,
} from '../api';
import { codingAgentPrompt } from '../prompt';
import { Link } from '../router';
import { CopyField, ErrorNote, errorMessage, Loaded, useAsync, When } from '../ui';

export function Integrations({ tenantId }: { tenantId: string }) {
  const row = useAsync(
    () => unwrap(api.GET('/admin/tenants/{tenantId}/integrations', { params: { path: { tenantId } } })),
    [tenantId],
  );
  return (
    <>
      <h2>Settings · Integrations</h2>
      <Loaded state={row} what="integration settings">
        {(data) => (
          <>
            <EventsApi tenantId={tenantId} row={data} reload={row.reload} />
            <Billing tenantId={tenantId} row={data} reload={row.reload} />
            <Clerk tenantId={tenantId} row={data} reload={row.reload} />
          </>
        )}
      </Loaded>
      <HealthStrip tenantId={tenantId} />
    </>
  );
}

interface RowProps {
  tenantId: string;
  row: IntegrationsRow;
  reload: () => void;
}

function EventsApi({ tenantId, row, reload }: RowProps) {
  return (
    <section aria-labelledby="events-api" className="card">
      <h3 id="events-api">Events API</h3>
      <CopyField label="Events API URL" value={row.eventsUrl} copyLabel="Copy Events API URL" />
      <IngestionKeyRow tenantId={tenantId} row={row} reload={reload} />
      <SignupEventRow tenantId={tenantId} row={row} reload={reload} />
      <h4>Prompt for your coding agent</h4>
      <p className="hint">
        Paste it into Claude Code, Cursor or whatever agent writes your code: it has your endpoint, the{' '}
        <code>MARA_INGESTION_KEY</code> variable, both operations, the identity, messageId and retry rules, and the checklist.
      </p>
      <CopyField
        label="Coding agent prompt"
        value={codingAgentPrompt({
          eventsUrl: row.eventsUrl,
          signupEventType: row.signupEventType,
          docsUrl: `${new URL(row.eventsUrl).origin}/docs`,
        })}
        copyLabel="Copy prompt"
        multiline
      />
    </section>
  );
}

function IngestionKeyRow({ tenantId, row, reload }: RowProps) {
  const [revealed, setRevealed] = useState<IngestionKey | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const generate = (): void => {
    setBusy(true);
    setError(null);
    unwrap(api.POST('/admin/tenants/{tenantId}/ingestion-key', { params: { path: { tenantId } } })).then(
      (key) => {
        setRevealed(key);
        setBusy(false);
        reload();
      },
      (e: unknown) => {
        setError(errorMessage(e));
        setBusy(false);
      },
    );
  };
  const key = row.ingestionKey;
  return (
    <div className="subsection">
      <h4>Ingestion key</h4>
      <p>
        {key.configured ? (
          <>
            Current key: <code aria-label="Key prefix">{key.keyPrefix}…</code>, generated <When at={key.createdAt} />.
          </>
        ) : (
          'No ingestion key yet: the Events API answers 412 until you generate one.'
        )}
      </p>
      {revealed && (
        <div className="reveal" role="region" aria-label="New ingestion key">
          <p>
            <strong>Copy this key now: it is shown once.</strong> Put it in <code>MARA_INGESTION_KEY</code> on your server.
          </p>
          <CopyField label="New ingestion key" value={revealed.key} copyLabel="Copy key" />
          <button type="button" onClick={() => setRevealed(null)}>
            I have copied it
          </button>
        </div>
      )}
      <div className="row">
        <button type="button" onClick={generate} disabled={busy}>
          {busy ? 'Generating…' : 'Generate key'}
        </button>
        {key.configured && <span className="hint">Generating a new key revokes the current one at once.</span>}
      </div>
      {error && <ErrorNote message={error} />}
    </div>
  );
}

function SignupEventRow({ tenantId, row, reload }: RowProps) {
  const [value, setValue] = useState(row.signupEventType ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [journeyId, setJourneyId] = useState<string | null>(null);
  const save = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    unwrap(
      api.PUT('/admin/tenants/{tenantId}/signup-event', { params: { path: { tenantId } }, body: { eventType: value.trim() } }),
    ).then(
      (saved) => {
        setJourneyId(saved.journeyId);
        setBusy(false);
        reload();
      },
      (err: unknown) => {
        setError(errorMessage(err));
        setBusy(false);
      },
    );
  };
  return (
    <div className="subsection">
      <form onSubmit={save}>
        <div className="field">
          <label htmlFor="signup-event">Signup event</label>
          <div className="row">
            <input
              id="signup-event"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder="user.signed_up"
              maxLength={120}
              required
            />
            <button type="submit" disabled={busy || value.trim() === ''}>
              {busy ? 'Saving…' : 'Save signup event'}
            </button>
          </div>
          <p className="hint">
            The event that means “a new user signed up”. Saving it seeds a draft welcome journey triggered by it; approve
            the draft to make it live.
          </p>
        </div>
      </form>
      {journeyId && (
        <p role="status">
          Saved. <Link to={`/tenants/${tenantId}/journeys/${journeyId}`}>Open the welcome journey</Link>
        </p>
      )}
      {error && <ErrorNote message={error} />}
    </div>
  );
}

/** A write-only secret: a password field, Save and Remove, and “configured” when one is stored. */
function SecretField({
  label,
  configured,
  save,
  remove,
}: {
  label: string;
  configured: boolean;
  save: (secret: string) => Promise<unknown>;
  remove: () => Promise<unknown>;
}) {
  const id = `secret-${label.replace(/\W+/g, '-').toLowerCase()}`;
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const run = (action: () => Promise<unknown>, done: string): void => {
    setBusy(true);
    setError(null);
    setNote(null);
    action().then(
      () => {
        setValue('');
        setBusy(false);
        setNote(done);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorMessage(e));
      },
    );
  };
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    run(() => save(value), `${label} saved.`);
  };
  return (
    <form onSubmit={submit} className="field secret">
      <label htmlFor={id}>{label}</label>
      <div className="row">
        <input
          id={id}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder={configured ? 'Paste a new value to replace the stored one' : 'Paste it here'}
          maxLength={1000}
          aria-describedby={`${id}-state`}
        />
        <button type="submit" disabled={busy || value === ''}>
          Save {label}
        </button>
        {configured && (
          <button type="button" className="secondary" disabled={busy} onClick={() => run(remove, `${label} removed.`)}>
            Remove {label}
          </button>
        )}
      </div>
      <p id={`${id}-state`} className={configured ? 'state ok' : 'state'}>
        {configured ? 'configured' : 'not configured'}
      </p>
      {note && (
        <p role="status" className="muted">
          {note}
        </p>
      )}
      {error && <ErrorNote message={error} />}
    </form>
  );
}

function WebhookSecret({ tenantId, provider, label, configured, reload }: {
  tenantId: string;
  provider: WebhookProvider;
  label: string;
  configured: boolean;
  reload: () => void;
}) {
  const path = { tenantId, provider };
  return (
    <SecretField
      label={label}
      configured={configured}
      save={async (secret) => {
        await unwrap(api.PUT('/admin/tenants/{tenantId}/webhook-secrets/{provider}', { params: { path }, body: { secret } }));
        reload();
      }}
      remove={async () => {
        await unwrap(api.DELETE('/admin/tenants/{tenantId}/webhook-secrets/{provider}', { params: { path } }));
        reload();
      }}
    />
  );
}

function Billing({ tenantId, row, reload }: RowProps) {
  return (
    <section aria-labelledby="billing" className="card">
      <h3 id="billing">Billing</h3>
      <p className="hint">
        Point your provider's webhooks at Mara, then paste the provider's signing secret here. Payloads arrive
        signature-verified and normalized into lifecycle events.
      </p>
      <div className="subsection">
        <h4>Stripe</h4>
        <CopyField label="Stripe webhook URL" value={row.webhooks.stripe.webhookUrl} copyLabel="Copy Stripe webhook URL" />
        <WebhookSecret tenantId={tenantId} provider="stripe" label="Stripe signing secret" configured={row.webhooks.stripe.secretConfigured} reload={reload} />
        <RecentDeliveries tenantId={tenantId} provider="stripe" label="Stripe" />
      </div>
      <div className="subsection">
        <h4>Polar</h4>
        <CopyField label="Polar webhook URL" value={row.webhooks.polar.webhookUrl} copyLabel="Copy Polar webhook URL" />
        <WebhookSecret tenantId={tenantId} provider="polar" label="Polar signing secret" configured={row.webhooks.polar.secretConfigured} reload={reload} />
        <RecentDeliveries tenantId={tenantId} provider="polar" label="Polar" />
      </div>
    </section>
  );
}

const RECENT_DELIVERIES = 10;

/** The provider's last deliveries from the delivery log (type, status, time), and replay for failed ones. */
function RecentDeliveries({ tenantId, provider, label }: { tenantId: string; provider: WebhookProvider; label: string }) {
  const deliveries = useAsync(
    () =>
      unwrap(
        api.GET('/admin/tenants/{tenantId}/webhook-deliveries', {
          params: { path: { tenantId }, query: { provider, limit: RECENT_DELIVERIES } },
        }),
      ),
    [tenantId, provider],
  );
  const [replaying, setReplaying] = useState<string | null>(null);
  const [replayed, setReplayed] = useState<{ delivery: WebhookDelivery; answer: WebhookReplay } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const replay = (delivery: WebhookDelivery): void => {
    setReplaying(delivery.id);
    setError(null);
    setReplayed(null);
    unwrap(
      api.POST('/admin/tenants/{tenantId}/webhook-deliveries/{deliveryId}/replay', {
        params: { path: { tenantId, deliveryId: delivery.id } },
      }),
    ).then(
      (answer) => {
        setReplaying(null);
        setReplayed({ delivery, answer });
        deliveries.reload();
      },
      (e: unknown) => {
        setReplaying(null);
        setError(`Replay of ${delivery.providerEventId} failed: ${errorMessage(e)}`);
        deliveries.reload();
      },
    );
  };
  const headingId = `deliveries-${provider}`;
  return (
    <div className="deliveries">
      <div className="row">
        <h5 id={headingId}>Recent {label} deliveries</h5>
        <button type="button" className="secondary" onClick={deliveries.reload} disabled={deliveries.loading}>
          Refresh {label} deliveries
        </button>
      </div>
      <Loaded state={deliveries} what={`${label} deliveries`}>
        {(page) =>
          page.items.length === 0 ? (
            <p className="muted">No verified {label} delivery yet.</p>
          ) : (
            <table aria-labelledby={headingId}>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                  <th scope="col">Event</th>
                  <th scope="col">Received</th>
                  <th scope="col">
                    <span className="offscreen">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {page.items.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <code>{d.type}</code>
                    </td>
                    <td>
                      <span className={`badge ${d.status}`}>{d.status}</span>
                      {d.error && <span className="hint"> {d.error}</span>}
                    </td>
                    <td>{d.eventType ?? '—'}</td>
                    <td>
                      <When at={d.receivedAt} />
                    </td>
                    <td>
                      {d.status === 'failed' && (
                        <button
                          type="button"
                          onClick={() => replay(d)}
                          disabled={replaying !== null}
                          aria-label={`Replay ${d.type} ${d.providerEventId}`}
                        >
                          {replaying === d.id ? 'Replaying…' : 'Replay'}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      {replayed && (
        <p role="status" aria-label={`${label} replay`}>
          Replayed {replayed.delivery.providerEventId}: {replayed.answer.status}
          {replayed.answer.eventType ? ` (${replayed.answer.eventType})` : ''}.
        </p>
      )}
      {error && <ErrorNote message={error} />}
      {deliveries.error && deliveries.data && <ErrorNote message={deliveries.error} retry={deliveries.reload} />}
    </div>
  );
}

function Clerk({ tenantId, row, reload }: RowProps) {
  const [job, setJob] = useState<ClerkImport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  // Live progress: poll the import while it runs.
  useEffect(() => {
    if (!job || job.status !== 'running') return;
    const timer = setTimeout(() => {
      unwrap(
        api.GET('/admin/tenants/{tenantId}/clerk/imports/{importId}', { params: { path: { tenantId, importId: job.id } } }),
      ).then(setJob, (e: unknown) => setError(errorMessage(e)));
    }, 1000);
    return () => clearTimeout(timer);
  }, [job, tenantId]);

  const start = (): void => {
    setStarting(true);
    setError(null);
    unwrap(api.POST('/admin/tenants/{tenantId}/clerk/imports', { params: { path: { tenantId } } })).then(
      (started) => {
        setJob(started);
        setStarting(false);
      },
      (e: unknown) => {
        setError(errorMessage(e));
        setStarting(false);
      },
    );
  };

  return (
    <section aria-labelledby="clerk" className="card">
      <h3 id="clerk">Clerk</h3>
      <CopyField label="Clerk webhook URL" value={row.webhooks.clerk.webhookUrl} copyLabel="Copy Clerk webhook URL" />
      <WebhookSecret tenantId={tenantId} provider="clerk" label="Clerk signing secret" configured={row.webhooks.clerk.secretConfigured} reload={reload} />
      <RecentDeliveries tenantId={tenantId} provider="clerk" label="Clerk" />
      <div className="subsection">
        <h4>Import existing users</h4>
        <SecretField
          label="Clerk Backend API key"
          configured={row.clerkBackendApiKeyConfigured}
          save={async (secret) => {
            await unwrap(api.PUT('/admin/tenants/{tenantId}/clerk/backend-api-key', { params: { path: { tenantId } }, body: { secret } }));
            reload();
          }}
          remove={async () => {
            await unwrap(api.DELETE('/admin/tenants/{tenantId}/clerk/backend-api-key', { params: { path: { tenantId } } }));
            reload();
          }}
        />
        <div className="row">
          <button type="button" onClick={start} disabled={starting || job?.status === 'running' || !row.clerkBackendApiKeyConfigured}>
            Import users
          </button>
          {!row.clerkBackendApiKeyConfigured && <span className="hint">Save a Backend API key first.</span>}
        </div>
        {job && (
          <p role="status" aria-label="Import progress">
            {job.status === 'running' && 'Importing… '}
            {job.status === 'completed' && 'Import completed: '}
            {job.status === 'failed' && 'Import failed: '}
            {job.pages} pages read, {job.usersSeen} users seen, {job.contactsCreated} contacts created
            {job.error ? ` (${job.error})` : ''}.
          </p>
        )}
        {error && <ErrorNote message={error} />}
      </div>
    </section>
  );
}

function HealthStrip({ tenantId }: { tenantId: string }) {
  const [refreshedAt, setRefreshedAt] = useState<string | null>(null);
  const health = useAsync(async (): Promise<IngestionHealth> => {
    const data = await unwrap(api.GET('/admin/tenants/{tenantId}/ingestion-health', { params: { path: { tenantId } } }));
    setRefreshedAt(new Date().toISOString());
    return data;
  }, [tenantId]);
  return (
    <section aria-labelledby="ingestion-health" className="card">
      <h3 id="ingestion-health">Ingestion health</h3>
      <div className="row">
        <p className="muted">
          Refreshed <When at={refreshedAt} />
        </p>
        <button type="button" onClick={health.reload} disabled={health.loading}>
          {health.loading ? 'Refreshing…' : 'Refresh health'}
        </button>
      </div>
      <Loaded state={health} what="ingestion health">
        {(data) => (
          <table aria-labelledby="ingestion-health">
            <thead>
              <tr>
                <th scope="col">Connector</th>
                <th scope="col">Contacts</th>
                <th scope="col">Events</th>
                <th scope="col">Last activity</th>
              </tr>
            </thead>
            <tbody>
              {CONNECTOR_LABELS.map(([key, label]) => {
                const c = data.connectors[key];
                return (
                  <tr key={key}>
                    <th scope="row">{label}</th>
                    <td>{c?.contacts ?? 0}</td>
                    <td>{c?.events ?? 0}</td>
                    <td>
                      <When at={c?.lastActivityAt} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </Loaded>
      {health.error && health.data && <ErrorNote message={health.error} retry={health.reload} />}
    </section>
  );
}
