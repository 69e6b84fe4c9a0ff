import { api, unwrap } from '../api';
import { Link } from '../router';
import { ErrorNote, LoadMore, Loaded, Loading, useAsync, usePaged, When } from '../ui';

/** One contact: identity, attributes, consent, and its events, newest first. */
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
                <dd>
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
            </>
          );
        }}
      </Loaded>
      <section aria-labelledby="timeline">
        <h3 id="timeline">Events, newest first</h3>
        {events.first.error && !events.first.data && <ErrorNote message={events.first.error} retry={events.first.reload} />}
        {!events.first.data && !events.first.error && <Loading what="events" />}
        {events.first.data && events.items.length === 0 && <p className="muted">No events yet.</p>}
        {events.items.length > 0 && (
          <ol className="timeline" aria-label="Events">
            {events.items.map((e) => (
              <li key={e.id}>
                <strong>{e.type}</strong> <When at={e.occurredAt} /> <span className="muted">via {e.source}</span>
                {e.messageId && <span className="muted"> · messageId {e.messageId}</span>}
                {Object.keys(e.properties).length > 0 && <pre>{JSON.stringify(e.properties, null, 2)}</pre>}
              </li>
            ))}
          </ol>
        )}
        <LoadMore paged={events} label="Load more events" />
      </section>
    </>
  );
}
