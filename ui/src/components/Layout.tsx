// The frame of every signed-in page: a skip link, the navigation, who is signed in, sign out.
import type { ReactNode } from 'react';
import { Link, useRouter } from '../router';
import { useSession } from '../session';

const NAV: Array<[string, string]> = [
  ['/connectors', 'Connectors'],
  ['/connections', 'Connections'],
  ['/runs', 'Runs'],
  ['/workbench', 'Workbench'],
  ['/crm/contacts', 'CRM'],
];

export function Layout({ children }: { children: ReactNode }): ReactNode {
  const { session, signOut } = useSession();
  const { path } = useRouter();
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Switchboard</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([to, label]) => {
              const here = path === to || path.startsWith(`${to.split('/').slice(0, 2).join('/')}/`) || (to.startsWith('/crm') && path.startsWith('/crm'));
              return (
                <li key={to}>
                  <Link to={to} aria-current={here ? 'page' : undefined}>
                    {label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="who">
          <span>
            {session.user.username} <span className="role">({session.user.role})</span>
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
