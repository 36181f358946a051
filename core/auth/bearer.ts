// auth `bearer`: a static token, `Authorization: Bearer <token>` (HubSpot private apps, Stripe).
import type { AuthBearer } from '../generated/connector';
import { staticSession, text, type AuthFactory } from './types';

export const bearerAuth: AuthFactory<AuthBearer> = (spec, ctx) => {
  const token = text(spec.token);
  ctx.redactor.add(token);
  return staticSession({ headers: { authorization: `Bearer ${token}` }, query: {} });
};
