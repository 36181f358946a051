// auth `basic`: `Authorization: Basic base64(username:password)` (Zendesk, Mailchimp).
import type { AuthBasic } from '../generated/connector';
import { staticSession, text, type AuthFactory } from './types';

export const basicAuth: AuthFactory<AuthBasic> = (spec, ctx) => {
  const password = text(spec.password);
  const encoded = Buffer.from(`${text(spec.username)}:${password}`, 'utf8').toString('base64');
  ctx.redactor.add(password);
  ctx.redactor.add(encoded);
  return staticSession({ headers: { authorization: `Basic ${encoded}` }, query: {} });
};
