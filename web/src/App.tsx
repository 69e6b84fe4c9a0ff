import { useEffect, useState, type ReactNode } from 'react';
import { api, loadSession, onSignedOut, signOut, unwrap } from './api';
import { href, Link, match, navigate, usePath } from './router';
import { Contact } from './screens/Contact';
import { Contacts } from './screens/Contacts';
import { Integrations } from './screens/Integrations';
import { EditJourney, NewJourney } from './screens/JourneyEditor';
import { JourneyDetail, Journeys } from './screens/Journeys';
import { RunDetail } from './screens/Runs';
import { SignIn } from './screens/SignIn';
import { Suppressions } from './screens/Suppressions';
import { Tenants } from './screens/Tenants';
import { ErrorNote, errorMessage, Loading, useAsync } from './ui';

type SessionState = { kind: 'checking' } | { kind: 'signed-in' } | { kind: 'signed-out' } | { kind: 'error'; message: string };

export function App() {
  const [session, setSession] = useState<SessionState>({ kind: 'checking' });
  const check = (): void => {
    setSession({ kind: 'checking' });
    loadSession().then(
      (s) => setSession(s ? { kind: 'signed-in' } : { kind: 'signed-out' }),
      (e: unknown) => setSession({ kind: 'error', message: errorMessage(e) }),
    );
  };
  useEffect(() => {
    check();
    return onSignedOut(() => setSession({ kind: 'signed-out' }));
  }, []);

  switch (session.kind) {
    case 'checking':
      return <Loading what="the dashboard" />;
    case 'error':
      return <ErrorNote message={session.message} retry={check} />;
    case 'signed-out':
      return <SignIn onSignedIn={() => setSession({ kind: 'signed-in' })} />;
    case 'signed-in':
      return <Shell onSignedOut={() => setSession({ kind: 'signed-out' })} />;
  }
}

function Shell({ onSignedOut: done }: { onSignedOut: () => void }) {
  const path = usePath();
  const [error, setError] = useState<string | null>(null);
  const out = (): void => {
    signOut().then(done, (e: unknown) => setError(errorMessage(e)));
  };
  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          Mara
        </Link>
        <nav aria-label="Main">
          <Link to="/" current={path === '/'}>
            Tenants
          </Link>
        </nav>
        <button type="button" className="secondary" onClick={out}>
          Sign out
        </button>
      </header>
      {error && <ErrorNote message={error} />}
      <Page path={path} />
    </>
  );
}

function Page({ path }: { path: string }) {
  if (path === '/') return <Tenants />;
  let m = match(path, '/tenants/:tenantId');
  if (m) {
    const to = href(`/tenants/${m.tenantId}/integrations`);
    queueMicrotask(() => navigate(to, { replace: true }));
    return null;
  }
  m = match(path, '/tenants/:tenantId/integrations');
  if (m) return <TenantPage tenantId={m.tenantId} tab="integrations">{<Integrations tenantId={m.tenantId} />}</TenantPage>;
  m = match(path, '/tenants/:tenantId/contacts');
  if (m) return <TenantPage tenantId={m.tenantId} tab="contacts">{<Contacts tenantId={m.tenantId} />}</TenantPage>;
  m = match(path, '/tenants/:tenantId/contacts/:contactId');
  if (m) {
    return (
      <TenantPage tenantId={m.tenantId} tab="contacts">
        <Contact tenantId={m.tenantId} contactId={m.contactId} />
      </TenantPage>
    );
  }
  m = match(path, '/tenants/:tenantId/suppressions');
  if (m) return <TenantPage tenantId={m.tenantId} tab="suppressions">{<Suppressions tenantId={m.tenantId} />}</TenantPage>;
  m = match(path, '/tenants/:tenantId/journeys');
  if (m) return <TenantPage tenantId={m.tenantId} tab="journeys">{<Journeys tenantId={m.tenantId} />}</TenantPage>;
  m = match(path, '/tenants/:tenantId/journeys/new');
  if (m) return <TenantPage tenantId={m.tenantId} tab="journeys">{<NewJourney tenantId={m.tenantId} />}</TenantPage>;
  m = match(path, '/tenants/:tenantId/journeys/:journeyId/edit');
  if (m) {
    return (
      <TenantPage tenantId={m.tenantId} tab="journeys">
        <EditJourney tenantId={m.tenantId} journeyId={m.journeyId} />
      </TenantPage>
    );
  }
  m = match(path, '/tenants/:tenantId/journeys/:journeyId/runs/:runId');
  if (m) {
    return (
      <TenantPage tenantId={m.tenantId} tab="journeys">
        <RunDetail tenantId={m.tenantId} journeyId={m.journeyId} runId={m.runId} />
      </TenantPage>
    );
  }
  m = match(path, '/tenants/:tenantId/journeys/:journeyId');
  if (m) {
    return (
      <TenantPage tenantId={m.tenantId} tab="journeys">
        <JourneyDetail tenantId={m.tenantId} journeyId={m.journeyId} />
      </TenantPage>
    );
  }
  return (
    <main>
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to the tenants</Link>
      </p>
    </main>
  );
}

const TABS = [
  ['integrations', 'Integrations'],
  ['contacts', 'Contacts'],
  ['journeys', 'Journeys'],
  ['suppressions', 'Suppressions'],
] as const;

function TenantPage({ tenantId, tab, children }: { tenantId: string; tab: (typeof TABS)[number][0]; children: ReactNode }) {
  const tenant = useAsync(() => unwrap(api.GET('/admin/tenants/{tenantId}', { params: { path: { tenantId } } })), [tenantId]);
  const name = tenant.data?.name;
  useEffect(() => {
    const label = TABS.find(([key]) => key === tab)?.[1] ?? '';
    document.title = name ? `${label} · ${name} · Mara` : 'Mara dashboard';
  }, [name, tab]);
  if (tenant.error && !tenant.data) {
    return (
      <main>
        <ErrorNote message={tenant.error} retry={tenant.reload} />
      </main>
    );
  }
  return (
    <main>
      <h1>{name ?? 'Tenant'}</h1>
      <nav aria-label="Tenant" className="tabs">
        {TABS.map(([key, label]) => (
          <Link key={key} to={`/tenants/${tenantId}/${key}`} current={key === tab}>
            {label}
          </Link>
        ))}
      </nav>
      {children}
    </main>
  );
}
