import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api';
import { Link } from '../router';
import { ErrorNote, LoadMore, Loading, useFlash, usePaged, When } from '../ui';

type SearchBy = 'email' | 'externalId';

/** Contacts of a tenant: all of them, or the ones with an email or external id. */
export function Contacts({ tenantId }: { tenantId: string }) {
  const notice = useFlash();
  const [by, setBy] = useState<SearchBy>('email');
  const [text, setText] = useState('');
  const [query, setQuery] = useState<{ by: SearchBy; value: string } | null>(null);
  const paged = usePaged(
    (cursor) =>
      unwrap(
        api.GET('/admin/tenants/{tenantId}/contacts', {
          params: {
            path: { tenantId },
            query: { cursor, limit: 50, ...(query ? { [query.by]: query.value } : {}) },
          },
        }),
      ),
    [tenantId, query?.by, query?.value],
  );
  const search = (e: FormEvent): void => {
    e.preventDefault();
    setQuery(text.trim() ? { by, value: text.trim() } : null);
  };
  const clear = (): void => {
    setText('');
    setQuery(null);
  };

  return (
    <>
      <h2>Contacts</h2>
      {notice && (
        <p role="status" className="reveal">
          {notice}
        </p>
      )}
      <form onSubmit={search} className="row" role="search" aria-label="Search contacts">
        <div className="field">
          <label htmlFor="search-by">Search by</label>
          <select id="search-by" value={by} onChange={(e) => setBy(e.target.value as SearchBy)}>
            <option value="email">Email</option>
            <option value="externalId">External id</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="search-text">{by === 'email' ? 'Email' : 'External id'} to find</label>
          <input id="search-text" value={text} onChange={(e) => setText(e.target.value)} maxLength={255} />
        </div>
        <button type="submit">Search</button>
        {query && (
          <button type="button" className="secondary" onClick={clear}>
            Show all contacts
          </button>
        )}
      </form>
      {paged.first.error && !paged.first.data && <ErrorNote message={paged.first.error} retry={paged.first.reload} />}
      {paged.first.loading && <Loading what="contacts" />}
      {paged.first.data && !paged.first.loading && paged.items.length === 0 && (
        <p className="muted">{query ? 'No contact matches.' : 'No contacts yet: send an identify or track op.'}</p>
      )}
      {paged.items.length > 0 && !paged.first.loading && (
        <table aria-label="Contacts">
          <thead>
            <tr>
              <th scope="col">Contact</th>
              <th scope="col">External id</th>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link to={`/tenants/${tenantId}/contacts/${c.id}`}>{c.email ?? c.externalId ?? c.id}</Link>
                </td>
                <td>{c.externalId ?? <span className="muted">none</span>}</td>
                <td>{c.name ?? <span className="muted">none</span>}</td>
                <td>
                  <When at={c.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore paged={paged} label="Load more contacts" />
    </>
  );
}
