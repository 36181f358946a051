// pagination `none`: one request returns everything.
import type { PaginationNone } from '../generated/connector';
import type { PaginationStrategy } from './types';

export function noPagination(_spec: PaginationNone): PaginationStrategy {
  return {
    size: undefined,
    first: () => ({ number: 1, offset: 0 }),
    params: () => ({}),
    next: () => undefined,
  };
}
