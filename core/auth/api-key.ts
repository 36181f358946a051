// auth `api_key`: a key in a header (Pipedrive `x-api-token`) or a query parameter (`api_token`).
import type { AuthApiKey } from '../generated/connector';
import { staticSession, text, type AuthFactory } from './types';

export const apiKeyAuth: AuthFactory<AuthApiKey> = (spec, ctx) => {
  const value = text(spec.value);
  ctx.redactor.add(value);
  return spec.in === 'query'
    ? staticSession({ headers: {}, query: { [spec.name]: value } })
    : staticSession({ headers: { [spec.name]: value }, query: {} });
};
