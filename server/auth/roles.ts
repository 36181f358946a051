// What a console user's role may do, as API scopes: a session carries its role's scopes, and
// every route checks them exactly as it checks a bearer token's.
import type { UserRole } from '../../core/store/tables/users';
import { ALL_SCOPES, type Scope } from './scopes';

/** Read-only: everything a viewer sees, nothing that changes state or sends requests with a connection's credentials. */
const VIEWER_SCOPES: readonly Scope[] = ['crm:read', 'definitions:read', 'connections:read', 'runs:read'];

export const ROLE_SCOPES: Readonly<Record<UserRole, readonly Scope[]>> = {
  admin: ALL_SCOPES.filter((s) => s !== 'webhooks:write'),
  viewer: VIEWER_SCOPES,
};

export function scopesOfRole(role: UserRole): Scope[] {
  return [...ROLE_SCOPES[role]];
}
