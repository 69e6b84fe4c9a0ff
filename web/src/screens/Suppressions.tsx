/**
 * A tenant's suppression list (docs/data-rights.md#suppressions): the entries as hashes with
 * their reason and date, newest first and paged; add an address with a reason; lift one by its
 * address. The list holds no address, so lifting takes the address itself.
 */
import { useState, type FormEvent } from 'react';
import { api, unwrap, type Suppression } from '../api';
import { ErrorNote, errorMessage, LoadMore, Loading, usePaged, When } from '../ui';

function AddSuppression({ tenantId, onAdded }: { tenantId: string; onAdded: (s: Suppression) => void }) {
  const [email, setEmail] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<Suppression | null>(null);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setAdded(null);
    const trimmed = reason.trim();
    unwrap(
      api.POST('/admin/tenants/{tenantId}/suppressions', {
        params: { path: { tenantId } },
        body: { email: email.trim(), ...(trimmed ? { reason: trimmed } : {}) },
      }),
    ).then(
      (s) => {
        setBusy(false);
        setAdded(s);
        setEmail('');
        setReason('');
        onAdded(s);
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorMessage(err));
      },
    );
  };
  return (
    <form onSubmit={submit} className="card" aria-labelledby="add-suppression">
      <h3 id="add-suppression">Suppress an address</h3>
      <div className="row">
        <div className="field">
          <label htmlFor="suppress-email">Email to suppress</label>
          <input id="suppress-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} maxLength={255} />
        </div>
        <div className="field">
          <label htmlFor="suppress-reason">Reason</label>
          <input id="suppress-reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={200} placeholder="hard bounce" />
        </div>
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Adding…' : 'Add suppression'}
      </button>
      <p role="status" className="muted">
        {added ? `Suppressed: hash ${added.emailHash}.` : ''}
      </p>
      {error && <ErrorNote message={error} />}
    </form>
  );
}

function LiftSuppression({ tenantId, onLifted }: { tenantId: string; onLifted: () => void }) {
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [lifted, setLifted] = useState<string | null>(null);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const address = email.trim();
    setBusy(true);
    setError(null);
    setLifted(null);
    unwrap(api.DELETE('/admin/tenants/{tenantId}/suppressions/{email}', { params: { path: { tenantId, email: address } } })).then(
      () => {
        setBusy(false);
        setLifted(address);
        setEmail('');
        onLifted();
      },
      (err: unknown) => {
        setBusy(false);
        setError(errorMessage(err));
      },
    );
  };
  return (
    <form onSubmit={submit} className="card" aria-labelledby="lift-suppression">
      <h3 id="lift-suppression">Lift a suppression</h3>
      <p className="hint">The list keeps no address: type the address to lift; it may then receive journey email again.</p>
      <div className="row">
        <div className="field">
          <label htmlFor="lift-email">Email to lift</label>
          <input id="lift-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} maxLength={255} />
        </div>
      </div>
      <button type="submit" disabled={busy}>
        {busy ? 'Lifting…' : 'Lift suppression'}
      </button>
      <p role="status" className="muted">
        {lifted ? `Lifted the suppression of ${lifted}.` : ''}
      </p>
      {error && <ErrorNote message={error} />}
    </form>
  );
}

export function Suppressions({ tenantId }: { tenantId: string }) {
  const paged = usePaged(
    (cursor) => unwrap(api.GET('/admin/tenants/{tenantId}/suppressions', { params: { path: { tenantId }, query: { cursor, limit: 50 } } })),
    [tenantId],
  );
  return (
    <>
      <h2>Suppressions</h2>
      <p className="hint">
        Addresses that never receive journey email: erased contacts, hard bounces, complaints, requests. Each is kept as a hash
        under a key of this tenant alone, never as the address.
      </p>
      <AddSuppression tenantId={tenantId} onAdded={paged.first.reload} />
      <LiftSuppression tenantId={tenantId} onLifted={paged.first.reload} />
      {paged.first.error && !paged.first.data && <ErrorNote message={paged.first.error} retry={paged.first.reload} />}
      {paged.first.loading && <Loading what="suppressions" />}
      {paged.first.data && !paged.first.loading && paged.items.length === 0 && <p className="muted">No address is suppressed.</p>}
      {paged.items.length > 0 && !paged.first.loading && (
        <table aria-label="Suppressions">
          <thead>
            <tr>
              <th scope="col">Email hash</th>
              <th scope="col">Reason</th>
              <th scope="col">Added</th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((s) => (
              <tr key={s.emailHash}>
                <td>
                  <code>{s.emailHash}</code>
                </td>
                <td>{s.reason ?? <span className="muted">none</span>}</td>
                <td>
                  <When at={s.createdAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <LoadMore paged={paged} label="Load more suppressions" />
    </>
  );
}
