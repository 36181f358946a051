// pagination `link_header`: the next URL is in the `Link` response header (Shopify's
// `page_info`), rel quoted or not, requested exactly as given; stops without such a rel.
import type { PaginationLinkHeader } from '../generated/connector';
import type { PaginationStrategy } from './types';

export interface Link {
  url: string;
  /** Lower-cased relation types (`rel="next last"` gives two). */
  rels: string[];
}

const LINK = /<([^>]*)>([^<]*)/g;
const REL = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i;

/** Parses a `Link` header (RFC 8288): `<url>; rel="next", <url>; rel=previous`. */
export function parseLinkHeader(value: string | readonly string[] | undefined): Link[] {
  if (value === undefined) return [];
  const text = typeof value === 'string' ? value : value.join(', ');
  const links: Link[] = [];
  for (const m of text.matchAll(LINK)) {
    const rel = REL.exec(m[2] ?? '');
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/).filter((r) => r !== '');
    links.push({ url: (m[1] ?? '').trim(), rels });
  }
  return links;
}

/** The URL of the first link with relation `rel`. */
export function findLink(value: string | readonly string[] | undefined, rel: string): string | undefined {
  const wanted = rel.toLowerCase();
  return parseLinkHeader(value).find((l) => l.rels.includes(wanted) && l.url !== '')?.url;
}

export function linkHeaderPagination(spec: PaginationLinkHeader): PaginationStrategy {
  const rel = spec.rel ?? 'next';
  return {
    size: undefined,
    first: () => ({ number: 1, offset: 0 }),
    params: (state) => (state.url === undefined ? {} : { url: state.url }),
    next: (state, page) => {
      const url = findLink(page.headers['link'], rel);
      return url === undefined ? undefined : { number: state.number + 1, offset: state.offset + page.records.length, url };
    },
  };
}
