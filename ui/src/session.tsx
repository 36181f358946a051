// Who is signed in, and what their role lets them do: write controls ask `can(scope)` and are
// disabled (with the reason) when the role lacks it; the server refuses the request anyway.
import { createContext, useContext, type ReactNode } from 'react';
import type { SessionInfo } from './types';

export interface SessionState {
  session: SessionInfo;
  can(scope: string): boolean;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside the signed-in app');
  return s;
}

/** Props of a write control: disabled with a reason when the role lacks the scope. */
export function useWrite(scope: string): { disabled: boolean; title?: string } {
  const { can } = useSession();
  return can(scope) ? { disabled: false } : { disabled: true, title: `Needs the admin role (scope ${scope})` };
}

export function Provider({ value, children }: { value: SessionState; children: ReactNode }): ReactNode {
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}
