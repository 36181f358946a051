// Sign-in: username and password; the API's answer (wrong password, locked account) as it is.
import { useState, type FormEvent, type ReactNode } from 'react';
import { call, messageOf } from '../api';
import { PageTitle } from '../components/common';
import type { SessionInfo } from '../types';

export function LoginPage({ onSignedIn }: { onSignedIn: (s: SessionInfo) => void }): ReactNode {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await call<SessionInfo>('POST /session', { body: { username, password } }));
    } catch (err) {
      setError(messageOf(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" className="login">
      <PageTitle>Sign in to Switchboard</PageTitle>
      <form onSubmit={(e) => void submit(e)} aria-describedby={error === undefined ? undefined : 'login-error'}>
        <label htmlFor="username">Username</label>
        <input id="username" name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        {error !== undefined && (
          <p id="login-error" role="alert" className="alert error">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="hint">Users are made on the server with <code>switchboard users create</code>.</p>
    </main>
  );
}
