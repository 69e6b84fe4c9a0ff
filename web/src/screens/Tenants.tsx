import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api';
import { Link, navigate, href } from '../router';
import { ErrorNote, errorMessage, LoadMore, Loading, usePaged, When } from '../ui';

export function Tenants() {
  const paged = usePaged(
    (cursor) => unwrap(api.GET('/admin/tenants', { params: { query: { cursor, limit: 50 } } })),
    [],
  );
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const create = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    unwrap(api.POST('/admin/tenants', { body: { name } })).then(
      (tenant) => navigate(href(`/tenants/${tenant.id}/integrations`)),
      (err: unknown) => {
        setBusy(false);
        setError(errorMessage(err));
      },
    );
  };

  return (
    <main>
      <h1>Tenants</h1>
      <section aria-labelledby="create-tenant">
        <h2 id="create-tenant">Create a tenant</h2>
        <form onSubmit={create} className="row">
          <div className="field">
            <label htmlFor="tenant-name">Tenant name</label>
            <input id="tenant-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
          </div>
          <button type="submit" disabled={busy || name.trim() === ''}>
            {busy ? 'Creating…' : 'Create tenant'}
          </button>
        </form>
        {error && <ErrorNote message={error} />}
      </section>
      <section aria-labelledby="all-tenants">
        <h2 id="all-tenants">All tenants</h2>
        {paged.first.error && !paged.first.data && <ErrorNote message={paged.first.error} retry={paged.first.reload} />}
        {!paged.first.data && !paged.first.error && <Loading what="tenants" />}
        {paged.first.data && paged.items.length === 0 && <p className="muted">No tenants yet: create the first one above.</p>}
        {paged.items.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Tenant id</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {paged.items.map((t) => (
                <tr key={t.id}>
                  <td>
                    <Link to={`/tenants/${t.id}/integrations`}>{t.name}</Link>
                  </td>
                  <td>
                    <code>{t.id}</code>
                  </td>
                  <td>
                    <When at={t.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <LoadMore paged={paged} label="Load more tenants" />
      </section>
    </main>
  );
}
