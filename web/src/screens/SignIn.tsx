import { useState, type FormEvent } from 'react';
import { ApiError, signIn } from '../api';
import { errorMessage } from '../ui';

/**
 * The admin token, once: it goes to the server in one request and is dropped (the form is reset
 * before the answer comes back); from then on the HttpOnly session cookie does the work.
 */
export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const form = e.currentTarget;
    const token = String(new FormData(form).get('token') ?? '').trim();
    form.reset();
    if (!token) {
      setError('Enter the admin token.');
      return;
    }
    setBusy(true);
    setError(null);
    signIn(token).then(
      () => onSignedIn(),
      (err: unknown) => {
        setBusy(false);
        setError(err instanceof ApiError && err.status === 401 ? 'Wrong admin token.' : errorMessage(err));
      },
    );
  };

  return (
    <main className="signin">
      <h1>Sign in to Mara</h1>
      <form onSubmit={submit} aria-label="Sign in">
        <div className="field">
          <label htmlFor="admin-token">Admin token</label>
          <input id="admin-token" name="token" type="password" autoComplete="off" spellCheck={false} required />
          <p className="hint">
            ADMIN_API_TOKEN of this server (with the embedded database: the file <code>.data/admin-token</code>). It is
            exchanged for a session and not kept in the browser.
          </p>
        </div>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
