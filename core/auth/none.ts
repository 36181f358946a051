// auth `none`: no credentials (public APIs, or credentials in the definition's headers).
import type { AuthNone } from '../generated/connector';
import { staticSession, type AuthFactory } from './types';

export const noneAuth: AuthFactory<AuthNone> = () => staticSession({ headers: {}, query: {} });
