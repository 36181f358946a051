// The console: sign-in, then the pages of a signed-in user, routed under /ui.
import { lazy, StrictMode, Suspense, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, call, setCsrfToken, setUnauthorizedHandler } from './api';
import { Layout } from './components/Layout';
import { ConnectionPage } from './pages/ConnectionPage';
import { ConnectionsPage, NewConnectionPage } from './pages/Connections';
import { ConnectorsPage } from './pages/Connectors';
import { CrmListPage, CrmRecordPage } from './pages/Crm';
import { LoginPage } from './pages/Login';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/Runs';
import { match, Router, useRouter } from './router';
import { Provider, type SessionState } from './session';
import type { SessionInfo } from './types';
import './styles.css';

// The workbench brings CodeMirror and the JSON Schemas: loaded when first opened.
const WorkbenchPage = lazy(async () => ({ default: (await import('./pages/Workbench')).WorkbenchPage }));

const ROUTES: Array<[string, (p: Record<string, string>) => ReactNode]> = [
  ['/connectors', () => <ConnectorsPage />],
  ['/connections', () => <ConnectionsPage />],
  ['/connections/new', () => <NewConnectionPage />],
  ['/connections/:id', (p) => <ConnectionPage id={p['id']!} />],
  ['/runs', () => <RunsPage />],
  ['/runs/:id', (p) => <RunPage id={p['id']!} />],
  ['/workbench', () => <WorkbenchPage />],
  ['/crm/:entity', (p) => <CrmListPage entity={p['entity']!} />],
  ['/crm/:entity/:id', (p) => <CrmRecordPage entity={p['entity']!} id={p['id']!} />],
];

function Page(): ReactNode {
  const { path, navigate } = useRouter();
  useEffect(() => {
    if (path === '/' || path === '/login') navigate('/connections', { replace: true });
  }, [path]);
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, path);
    if (params !== undefined) return render(params);
  }
  return <h1>Not found</h1>;
}

function App(): ReactNode {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const { navigate, path } = useRouter();
  useEffect(() => {
    setUnauthorizedHandler(() => setSession(null));
    call<SessionInfo>('GET /session')
      .then((s) => {
        setCsrfToken(s.csrf_token);
        setSession(s);
      })
      .catch((err: unknown) => {
        if (!(err instanceof ApiError) || err.status !== 401) console.error(err);
        setSession(null);
      });
  }, []);
  if (session === undefined) return <p className="loading">Loading…</p>;
  if (session === null) {
    return (
      <LoginPage
        onSignedIn={(s) => {
          setCsrfToken(s.csrf_token);
          setSession(s);
          if (path === '/' || path === '/login') navigate('/connections', { replace: true });
        }}
      />
    );
  }
  const state: SessionState = {
    session,
    can: (scope) => session.scopes.includes(scope),
    signOut: async () => {
      await call('DELETE /session').catch(() => undefined);
      setCsrfToken('');
      setSession(null);
      navigate('/login');
    },
  };
  return (
    <Provider value={state}>
      <Layout>
        <Suspense fallback={<p>Loading…</p>}>
          <Page />
        </Suspense>
      </Layout>
    </Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Router>
      <App />
    </Router>
  </StrictMode>,
);
