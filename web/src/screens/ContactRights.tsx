/**
 * A contact's data-rights controls (docs/data-rights.md, docs/dashboard.md#contacts): consent,
 * export, erase and merge. Each goes through the session like every other request; the state
 * changes carry the CSRF token (api.ts).
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, unwrap, type ConsentStatus, type Contact } from '../api';
import { href, navigate } from '../router';
import { ErrorNote, errorMessage, setFlash } from '../ui';

export function contactLabel(c: Contact): string {
  return c.email ?? c.externalId ?? c.name ?? c.id;
}

/** Grant or withdraw the contact's consent: the button for the status it does not have yet. */
export function ConsentControl({ tenantId, contact, onChange }: { tenantId: string; contact: Contact; onChange: (c: Contact) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const set = (status: ConsentStatus): void => {
    setBusy(true);
    setError(null);
    setDone(null);
    unwrap(
      api.PUT('/admin/tenants/{tenantId}/contacts/{contactId}/consent', {
        params: { path: { tenantId, contactId: contact.id } },
        body: { status },
      }),
    ).then(
      (c) => {
        setBusy(false);
        setDone(status === 'granted' ? 'Consent granted.' : 'Consent withdrawn.');
        onChange(c);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorMessage(e));
      },
    );
  };
  const status = contact.consent?.status;
  return (
    <span className="row">
      {status !== 'granted' && (
        <button type="button" className="secondary" disabled={busy} onClick={() => set('granted')}>
          Grant consent
        </button>
      )}
      {status !== 'withdrawn' && (
        <button type="button" className="secondary" disabled={busy} onClick={() => set('withdrawn')}>
          Withdraw consent
        </button>
      )}
      <span role="status" className="muted">
        {busy ? 'Saving consent…' : (done ?? '')}
      </span>
      {error && <ErrorNote message={error} />}
    </span>
  );
}

/**
 * "Export": fetches the export through the session (the cookie rides along; a GET needs no CSRF
 * token) and hands it to the browser as a download from a Blob URL, so an error shows here
 * instead of being saved as a file.
 */
export function ExportButton({ tenantId, contact }: { tenantId: string; contact: Contact }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const url = useRef<string | null>(null);
  useEffect(
    () => () => {
      if (url.current) URL.revokeObjectURL(url.current);
    },
    [],
  );
  const run = (): void => {
    setBusy(true);
    setError(null);
    setDone(false);
    unwrap(
      api.GET('/admin/tenants/{tenantId}/contacts/{contactId}/export', {
        params: { path: { tenantId, contactId: contact.id } },
        parseAs: 'blob',
      }),
    ).then(
      (data) => {
        if (url.current) URL.revokeObjectURL(url.current);
        url.current = URL.createObjectURL(new Blob([data], { type: 'application/json' }));
        const a = document.createElement('a');
        a.href = url.current;
        a.download = `contact-${contact.id}.json`;
        document.body.append(a);
        a.click();
        a.remove();
        setBusy(false);
        setDone(true);
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorMessage(e));
      },
    );
  };
  return (
    <span className="row">
      <button type="button" className="secondary" disabled={busy} onClick={run}>
        Export
      </button>
      <span role="status" className="muted">
        {busy ? 'Preparing the export…' : done ? `Exported as contact-${contact.id}.json.` : ''}
      </span>
      {error && <ErrorNote message={error} retry={run} />}
    </span>
  );
}

/** "Erase contact", then a confirmation; afterwards back to the contacts, which say so. */
export function EraseControl({ tenantId, contact }: { tenantId: string; contact: Contact }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) cancelRef.current?.focus();
  }, [asking]);
  const label = contactLabel(contact);
  const erase = (): void => {
    setBusy(true);
    setError(null);
    unwrap(api.DELETE('/admin/tenants/{tenantId}/contacts/{contactId}', { params: { path: { tenantId, contactId: contact.id } } })).then(
      () => {
        setFlash(`Erased ${label}: the contact, its events and runs are gone, and its email is suppressed.`);
        navigate(href(`/tenants/${tenantId}/contacts`));
      },
      (e: unknown) => {
        setBusy(false);
        setError(errorMessage(e));
      },
    );
  };
  if (!asking) {
    return (
      <button type="button" className="secondary" onClick={() => setAsking(true)}>
        Erase contact
      </button>
    );
  }
  return (
    <div role="dialog" aria-labelledby="erase-title" aria-describedby="erase-what" className="card">
      <h4 id="erase-title">Erase {label}?</h4>
      <p id="erase-what">
        The contact, its events, connector links and journey runs are deleted; the emails it received keep their rows with the
        address, subject and body replaced by “erased”; its email is added to the suppressions. This cannot be undone.
      </p>
      <div className="row">
        <button type="button" onClick={erase} disabled={busy}>
          {busy ? 'Erasing…' : 'Confirm erase'}
        </button>
        <button type="button" className="secondary" ref={cancelRef} onClick={() => setAsking(false)} disabled={busy}>
          Cancel
        </button>
      </div>
      {error && <ErrorNote message={error} />}
    </div>
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The contact with that id, email or external id (in that order), or null. */
async function findContact(tenantId: string, text: string): Promise<Contact | null> {
  if (UUID.test(text)) {
    try {
      return await unwrap(api.GET('/admin/tenants/{tenantId}/contacts/{contactId}', { params: { path: { tenantId, contactId: text } } }));
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  }
  const search = async (query: { email: string } | { externalId: string }): Promise<Contact | null> => {
    const page = await unwrap(api.GET('/admin/tenants/{tenantId}/contacts', { params: { path: { tenantId }, query: { ...query, limit: 1 } } }));
    return page.items[0] ?? null;
  };
  if (text.includes('@')) {
    const byEmail = await search({ email: text });
    if (byEmail) return byEmail;
  }
  return search({ externalId: text });
}

/** "Merge another contact into this one": find it by id, email or external id, then confirm. */
export function MergeControl({ tenantId, contact, onMerged }: { tenantId: string; contact: Contact; onMerged: (survivor: Contact) => void }) {
  const [text, setText] = useState('');
  const [found, setFound] = useState<Contact | null>(null);
  const [busy, setBusy] = useState<'finding' | 'merging' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const find = (e: FormEvent): void => {
    e.preventDefault();
    const value = text.trim();
    if (!value) return;
    setBusy('finding');
    setError(null);
    setDone(null);
    setFound(null);
    findContact(tenantId, value).then(
      (c) => {
        setBusy(null);
        if (!c) setError(`No contact has the id, email or external id “${value}”.`);
        else if (c.id === contact.id) setError('That is this contact: pick another one to merge into it.');
        else setFound(c);
      },
      (err: unknown) => {
        setBusy(null);
        setError(errorMessage(err));
      },
    );
  };
  const merge = (): void => {
    if (!found) return;
    setBusy('merging');
    setError(null);
    unwrap(
      api.POST('/admin/tenants/{tenantId}/contacts/{contactId}/merge', {
        params: { path: { tenantId, contactId: contact.id } },
        body: { from: found.id },
      }),
    ).then(
      (survivor) => {
        setBusy(null);
        setDone(`Merged ${contactLabel(found)} into this contact.`);
        setFound(null);
        setText('');
        onMerged(survivor);
      },
      (err: unknown) => {
        setBusy(null);
        setError(errorMessage(err));
      },
    );
  };
  return (
    <section aria-labelledby="merge-title" className="card">
      <h4 id="merge-title">Merge another contact into this one</h4>
      <p className="hint">
        Its events, runs and messages move here; its email and external id become aliases of this contact; this contact’s
        attribute values win. The other contact is gone afterwards.
      </p>
      <form onSubmit={find} className="row" aria-label="Find the contact to merge">
        <div className="field">
          <label htmlFor="merge-from">Other contact’s email, external id or id</label>
          <input id="merge-from" value={text} onChange={(e) => setText(e.target.value)} maxLength={255} />
        </div>
        <button type="submit" disabled={busy !== null}>
          {busy === 'finding' ? 'Finding…' : 'Find contact to merge'}
        </button>
      </form>
      {found && (
        <div role="group" aria-labelledby="merge-confirm">
          <p id="merge-confirm">
            Merge <strong>{contactLabel(found)}</strong> <span className="muted">({found.id})</span> into{' '}
            <strong>{contactLabel(contact)}</strong>?
          </p>
          <div className="row">
            <button type="button" onClick={merge} disabled={busy !== null}>
              {busy === 'merging' ? 'Merging…' : 'Confirm merge'}
            </button>
            <button type="button" className="secondary" onClick={() => setFound(null)} disabled={busy !== null}>
              Cancel merge
            </button>
          </div>
        </div>
      )}
      <p role="status" className="muted">
        {done ?? ''}
      </p>
      {error && <ErrorNote message={error} />}
    </section>
  );
}

/** The names of the journeys with these ids, looked up once each (an unknown one stays missing). */
export function useJourneyNames(tenantId: string, journeyIds: string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const asked = useRef(new Set<string>());
  const key = [...new Set(journeyIds)].sort().join(',');
  useEffect(() => {
    for (const journeyId of key ? key.split(',') : []) {
      if (asked.current.has(journeyId)) continue;
      asked.current.add(journeyId);
      unwrap(api.GET('/admin/tenants/{tenantId}/journeys/{journeyId}', { params: { path: { tenantId, journeyId } } })).then(
        (j) => setNames((n) => ({ ...n, [journeyId]: j.name })),
        () => undefined, // the table keeps showing the id
      );
    }
  }, [tenantId, key]);
  return names;
}
