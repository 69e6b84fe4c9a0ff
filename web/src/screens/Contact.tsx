import { api, unwrap, type ContactEvent, type Message } from '../api';
import { Link } from '../router';
import { ErrorNote, LoadMore, Loaded, Loading, useAsync, usePaged, When } from '../ui';
import { StatusBadge } from './Journeys';
import { ConsentControl, EraseControl, ExportButton, MergeControl, useJourneyNames } from './ContactRights';
import { RunsTable } from './Runs';

type Entry = { kind: 'event'; at: string; id: string; event: ContactEvent } | { kind: 'message'; at: string; id: string; message: Message };

interface Stream<T> {
  items: T[];
  nextCursor: string | null;
  more: () => void;
  loadingMore: boolean;
}

/**
 * Two lists, each newest first and paged by the API, merged into one timeline. An entry is shown
 * only once nothing older than it can still arrive on a page of the other list, so the order holds
 * across pages; "Load more" fetches the next page of whichever list is behind.
 */
function mergeTimeline(events: Stream<ContactEvent>, messages: Stream<Message>) {
  const entries: Entry[] = [
    ...events.items.map((event): Entry => ({ kind: 'event', at: event.occurredAt, id: event.id, event })),
    ...messages.items.map((message): Entry => ({ kind: 'message', at: message.createdAt, id: message.id, message })),
  ].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  const oldest = (s: Stream<unknown> & { items: Array<unknown> }, at: (x: never) => string): string | null =>
    s.nextCursor && s.items.length > 0 ? at(s.items[s.items.length - 1] as never) : null;
  const edges = [
    { stream: events as Stream<unknown>, edge: oldest(events, (e: ContactEvent) => e.occurredAt) },
    { stream: messages as Stream<unknown>, edge: oldest(messages, (m: Message) => m.createdAt) },
  ];
  const cutoff = edges.reduce<string | null>((c, { edge }) => (edge !== null && (c === null || edge > c) ? edge : c), null);
  const shown = cutoff === null ? entries : entries.filter((e) => e.at >= cutoff);
  const hasMore = events.nextCursor !== null || messages.nextCursor !== null;
  const more = (): void => {
    // The list whose oldest loaded entry is the newest holds back the rest: page it first.
    const behind = edges.filter((e) => e.stream.nextCursor !== null && (cutoff === null || e.edge === null || e.edge >= cutoff));
    for (const { stream } of behind.length > 0 ? behind : edges.filter((e) => e.stream.nextCursor !== null)) stream.more();
  };
  return { shown, hasMore, more, loadingMore: events.loadingMore || messages.loadingMore };
}

/** One contact: identity, attributes, consent, its timeline of events and messages, and its journey runs. */
export function Contact({ tenantId, contactId }: { tenantId: string; contactId: string }) {
  const contact = useAsync(
    () => unwrap(api.GET('/admin/tenants/{tenantId}/contacts/{contactId}', { params: { path: { tenantId, contactId } } })),
    [tenantId, contactId],
  );
  const events = usePaged(
    (cursor) =>
      unwrap(
        api.GET('/admin/tenants/{tenantId}/contacts/{contactId}/events', {
          params: { path: { tenantId, contactId }, query: { cursor, limit: 50 } },
        }),
      ),
    [tenantId, contactId],
  );
  const messages = usePaged(
    (cursor) =>
      unwrap(
        api.GET('/admin/tenants/{tenantId}/contacts/{contactId}/messages', {
          params: { path: { tenantId, contactId }, query: { cursor, limit: 50 } },
        }),
      ),
    [tenantId, contactId],
  );
  const runs = usePaged(
    (cursor) =>
      unwrap(
        api.GET('/admin/tenants/{tenantId}/contacts/{contactId}/runs', {
          params: { path: { tenantId, contactId }, query: { cursor, limit: 25 } },
        }),
      ),
    [tenantId, contactId],
  );
  const timeline = mergeTimeline(events, messages);
  const journeyNames = useJourneyNames(
    tenantId,
    runs.items.map((r) => r.journeyId),
  );
  /** After a merge: the survivor as the API answered, and its lists again (they now hold the other's). */
  const merged = (survivor: Parameters<typeof contact.set>[0]): void => {
    contact.set(survivor);
    events.first.reload();
    messages.first.reload();
    runs.first.reload();
  };

  return (
    <>
      <p>
        <Link to={`/tenants/${tenantId}/contacts`}>← All contacts</Link>
      </p>
      <Loaded state={contact} what="the contact">
        {(c) => {
          const attributes = Object.entries(c.attributes);
          return (
            <>
              <h2>{c.name ?? c.email ?? c.externalId ?? 'Contact'}</h2>
              <dl className="facts">
                <dt>Email</dt>
                <dd>{c.email ?? <span className="muted">none</span>}</dd>
                <dt>External id</dt>
                <dd>{c.externalId ?? <span className="muted">none</span>}</dd>
                <dt>Name</dt>
                <dd>{c.name ?? <span className="muted">none</span>}</dd>
                <dt>Contact id</dt>
                <dd>
                  <code>{c.id}</code>
                </dd>
                <dt>Consent</dt>
                <dd aria-label="Consent">
                  {c.consent ? (
                    <>
                      {c.consent.status} by {c.consent.source}, <When at={c.consent.at} />
                    </>
                  ) : (
                    <span className="muted">none recorded</span>
                  )}
                </dd>
                <dt>Created</dt>
                <dd>
                  <When at={c.createdAt} />
                </dd>
                <dt>Updated</dt>
                <dd>
                  <When at={c.updatedAt} />
                </dd>
              </dl>
              <h3>Attributes</h3>
              {attributes.length === 0 ? (
                <p className="muted">No attributes.</p>
              ) : (
                <table aria-label="Attributes">
                  <thead>
                    <tr>
                      <th scope="col">Attribute</th>
                      <th scope="col">Value</th>
                    </tr>
                  </thead>
                  <tbody>
                    {attributes.map(([key, value]) => (
                      <tr key={key}>
                        <th scope="row">{key}</th>
                        <td>{value === null ? <span className="muted">null</span> : String(value)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              <section aria-labelledby="data-rights" className="subsection">
                <h3 id="data-rights">Data rights</h3>
                <p className="hint">
                  Export everything held about this contact, merge a duplicate into it, or erase it (see the data-rights guide).
                </p>
                <ConsentControl tenantId={tenantId} contact={c} onChange={contact.set} />
                <div className="row">
                  <ExportButton tenantId={tenantId} contact={c} />
                  <EraseControl tenantId={tenantId} contact={c} />
                </div>
                <MergeControl tenantId={tenantId} contact={c} onMerged={merged} />
              </section>
            </>
          );
        }}
      </Loaded>
      <section aria-labelledby="timeline">
        <h3 id="timeline">Timeline: events and messages, newest first</h3>
        {(events.first.error ?? messages.first.error) && !(events.first.data && messages.first.data) && (
          <ErrorNote
            message={(events.first.error ?? messages.first.error)!}
            retry={() => {
              events.first.reload();
              messages.first.reload();
            }}
          />
        )}
        {!(events.first.data && messages.first.data) && !(events.first.error ?? messages.first.error) && <Loading what="the timeline" />}
        {events.first.data && messages.first.data && timeline.shown.length === 0 && <p className="muted">No events or messages yet.</p>}
        {events.first.data && messages.first.data && timeline.shown.length > 0 && (
          <ol className="timeline" aria-label="Timeline">
            {timeline.shown.map((entry) =>
              entry.kind === 'event' ? (
                <li key={`e-${entry.id}`}>
                  <span className="kind">event</span> <strong>{entry.event.type}</strong> <When at={entry.event.occurredAt} />{' '}
                  <span className="muted">via {entry.event.source}</span>
                  {entry.event.messageId && <span className="muted"> · messageId {entry.event.messageId}</span>}
                  {Object.keys(entry.event.properties).length > 0 && <pre>{JSON.stringify(entry.event.properties, null, 2)}</pre>}
                </li>
              ) : (
                <li key={`m-${entry.id}`}>
                  <span className="kind">email</span> <strong>{entry.message.subject}</strong> <When at={entry.message.createdAt} />{' '}
                  <StatusBadge status={entry.message.status} />
                  {entry.message.reason && <span className="muted"> · {entry.message.reason}</span>}{' '}
                  <span className="muted">
                    to {entry.message.to ?? 'no address'} ·{' '}
                    <Link to={`/tenants/${tenantId}/journeys/${entry.message.journeyId}/runs/${entry.message.runId}`}>its run</Link>
                  </span>
                </li>
              ),
            )}
          </ol>
        )}
        {timeline.hasMore && (
          <button type="button" onClick={timeline.more} disabled={timeline.loadingMore}>
            {timeline.loadingMore ? 'Loading…' : 'Load more of the timeline'}
          </button>
        )}
        {(events.moreError ?? messages.moreError) && <ErrorNote message={(events.moreError ?? messages.moreError)!} retry={timeline.more} />}
      </section>
      <section aria-labelledby="contact-runs">
        <h3 id="contact-runs">Journey runs</h3>
        {runs.first.error && !runs.first.data && <ErrorNote message={runs.first.error} retry={runs.first.reload} />}
        {!runs.first.data && !runs.first.error && <Loading what="journey runs" />}
        {runs.first.data && runs.items.length === 0 && <p className="muted">This contact has no journey runs.</p>}
        {runs.items.length > 0 && <RunsTable tenantId={tenantId} runs={runs.items} label="Journey runs" showJourney journeyNames={journeyNames} />}
        <LoadMore paged={runs} label="Load more runs" />
      </section>
    </>
  );
}
