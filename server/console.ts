// Serves the console, the web app built from ui/ into dist/ui (`npm run build`), at /ui with
// `/` redirecting there. Hashed assets are cached for good; every other path under /ui answers
// index.html (the app routes in the browser). A strict Content-Security-Policy keeps the page
// to its own scripts and to this API.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import { SwitchboardError } from '../core/errors';
import { packageRoot } from '../core/util/package-root';
import { PUBLIC } from './auth/scopes';

export const UI_PREFIX = '/ui';

/** Where `npm run build` puts the console. */
export function defaultUiDir(): string {
  return join(packageRoot(), 'dist', 'ui');
}

// CodeMirror writes its styles at run time: inline styles are allowed, inline scripts are not.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

function pageHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin').header('x-frame-options', 'DENY');
}

export async function consoleRoutes(app: FastifyInstance, options: { dir: string }): Promise<void> {
  const hide = { hide: true, security: PUBLIC };
  app.get('/', { schema: hide }, async (_request, reply) => reply.redirect(`${UI_PREFIX}/`, 302));
  const index = join(options.dir, 'index.html');
  if (!existsSync(index)) {
    // Not built (a clone without `npm install`): say so instead of a bare 404.
    app.get(`${UI_PREFIX}/*`, { schema: hide }, async () => {
      throw new SwitchboardError('SB_NOT_FOUND', 'the console is not built: run `npm run build` (npm install does it)');
    });
    app.get(UI_PREFIX, { schema: hide }, async (_request, reply) => reply.redirect(`${UI_PREFIX}/`, 302));
    return;
  }
  await app.register(fastifyStatic, {
    root: options.dir,
    prefix: `${UI_PREFIX}/`,
    wildcard: false,
    index: false,
    setHeaders: (res, path) => {
      res.header('cache-control', path.includes(`${join('ui', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      res.header('x-content-type-options', 'nosniff');
    },
  });
  const sendIndex = async (_request: unknown, reply: FastifyReply): Promise<FastifyReply> => {
    pageHeaders(reply);
    return reply.header('cache-control', 'no-cache').sendFile('index.html', options.dir);
  };
  app.get(UI_PREFIX, { schema: hide }, async (_request, reply) => reply.redirect(`${UI_PREFIX}/`, 302));
  app.get(`${UI_PREFIX}/`, { schema: hide }, sendIndex);
  // Paths of the app itself (/ui/runs/...): files were registered above, one route each.
  app.get(`${UI_PREFIX}/*`, { schema: hide }, async (request, reply) => {
    if (request.url.startsWith(`${UI_PREFIX}/assets/`)) throw new SwitchboardError('SB_NOT_FOUND', `no file ${request.url.split('?')[0]!.slice(0, 200)}`);
    return sendIndex(request, reply);
  });
}
