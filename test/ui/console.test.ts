/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// The console end to end, in headless Chromium: an admin signs in (keyboard only), creates a
// connection to the bundled example API from its form, tests it, runs a full sync and watches
// its counts reach the source's size, reads the rejected record's reason, breaks a mapping in
// the workbench (the problem shown at its line), fixes it, previews and saves it, and adds two
// schedules to one mapping; a viewer finds every write control disabled and every write
// request refused (403). Every page passes axe-core (no serious or critical violations), each
// is kept as a screenshot, and every API call the pages make is in the OpenAPI document.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { Engine } from '../../core/engine';
import { silentLogger } from '../../core/logger';
import { SecretBox } from '../../core/secrets';
import * as users from '../../core/store/tables/users';
import { packageRoot } from '../../core/util/package-root';
import { hubspotCompanies, hubspotPeople, startHubSpot, type MockApi } from '../../examples/mock-apis';
import { buildApp } from '../../server/app';
import { defaultUiDir } from '../../server/console';
import { ENDPOINTS } from '../../ui/src/endpoints';
import { accessibilityProblems, launchBrowser, screenshot, type TestBrowser } from '../helpers/browser';
import { createMigratedDatabase, type TestDatabase } from '../helpers/db';
import { documentedOperation } from './openapi-paths';

// One browser session walks every page: bounded, but longer than a unit test.
jest.setTimeout(420_000);

const TOKEN = 'pat-console-test-0001';
const CONTACTS = 40;
const ADMIN = { username: 'ada', password: 'correct horse battery staple' };
const VIEWER = { username: 'vic', password: 'viewer password 1234' };

describe('console in the browser', () => {
  let db: TestDatabase;
  let dir: string;
  let api: MockApi;
  let engine: Engine;
  let app: FastifyInstance;
  let base: string;
  let browser: TestBrowser;
  let doc: Record<string, unknown>;
  /** Every API request the pages made: METHOD and path. */
  const calls = new Set<string>();

  beforeAll(async () => {
    if (!existsSync(join(defaultUiDir(), 'index.html'))) throw new Error('the console is not built: run `npm run build` first (npm install and npm ci do)');
    db = await createMigratedDatabase('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'switchboard-ui-'));
    cpSync(join(packageRoot(), 'connectors'), join(dir, 'connectors'), { recursive: true });
    cpSync(join(packageRoot(), 'mappings'), join(dir, 'mappings'), { recursive: true });
    const companies = hubspotCompanies(5);
    const contacts = hubspotPeople(CONTACTS, companies);
    // One contact without an email: the mapping requires one, so the run rejects it.
    delete contacts[6]!.properties['email'];
    api = await startHubSpot({ objects: { companies, contacts, deals: [] }, token: TOKEN });
    engine = await Engine.open({ knex: db.knex, cwd: dir, connectorsDir: join(dir, 'connectors'), mappingsDir: join(dir, 'mappings'), box: new SecretBox(randomBytes(32)), logger: silentLogger(), queue: 'memory', concurrency: 1, backoffMs: 10 });
    app = await buildApp(engine, { redisUrl: '', rateLimit: false });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    await users.create(db.knex, { ...ADMIN, role: 'admin' });
    await users.create(db.knex, { ...VIEWER, role: 'viewer' });
    doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await engine?.close();
    await api?.close();
    await db?.cleanup();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  async function newPage(): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('request', (req) => {
      const url = new URL(req.url());
      if (url.origin === base && !url.pathname.startsWith('/ui') && url.pathname !== '/') calls.add(`${req.method()} ${url.pathname}`);
    });
    return page;
  }

  /** Checks accessibility and keeps a screenshot of the page as it is now. */
  async function check(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    expect({ page: name, problems: await accessibilityProblems(page) }).toEqual({ page: name, problems: [] });
  }

  async function signIn(page: Page, who: { username: string; password: string }): Promise<void> {
    await browser.context.clearCookies();
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    // Keyboard only: the username field has the focus, Tab reaches the password, Enter submits.
    await page.keyboard.type(who.username);
    await page.keyboard.press('Tab');
    await page.keyboard.type(who.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Connections', exact: true }).waitFor();
  }

  it('lets an admin connect, run, read rejects, fix a mapping and schedule it, without curl', async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/ui/');
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    await check(page, '01-sign-in');
    await page.getByLabel('Username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('wrong password!!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
    await signIn(page, ADMIN);
    await check(page, '02-connections-empty');

    await page.getByRole('link', { name: 'Connectors' }).click();
    await page.getByRole('heading', { name: 'Connectors' }).waitFor();
    await page.getByRole('rowheader', { name: /HubSpot CRM/ }).waitFor();
    await check(page, '03-connectors');

    // A connection from the connector's form.
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('button', { name: 'New connection' }).click();
    await page.getByLabel('Connector').selectOption('hubspot');
    await page.getByLabel('Name').fill('hubspot-demo');
    await page.getByLabel(/^access_token/).fill(TOKEN);
    await page.getByLabel(/^base_url/).fill(api.url);
    await check(page, '04-new-connection');
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.getByRole('heading', { name: 'Connection hubspot-demo' }).waitFor();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByRole('status').filter({ hasText: 'Connection works' }).waitFor();
    await page.getByText('set', { exact: true }).first().waitFor();
    await check(page, '05-connection');

    // A full run, watched live until its counts reach the source's size.
    await page.getByLabel('Mapping', { exact: true }).first().selectOption('hubspot-contacts');
    await page.getByLabel('Mode', { exact: true }).first().selectOption('full');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByRole('heading', { name: 'Run of hubspot-contacts' }).waitFor();
    await page.getByTestId('run-status').filter({ hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('count-read').textContent()).toBe(String(CONTACTS));
    expect(await page.getByTestId('count-created').textContent()).toBe(String(CONTACTS - 1));
    expect(await page.getByTestId('count-rejected').textContent()).toBe('1');
    const reject = page.getByRole('row').filter({ hasText: 'SB_MAPPING_FAILED' });
    await reject.waitFor();
    expect(await reject.textContent()).toMatch(/email/);
    expect(await reject.getByRole('rowheader').textContent()).toBe('7');
    await reject.getByText('Show record 7').click();
    await reject.getByLabel('source record 7').waitFor();
    const download = page.getByRole('link', { name: 'Download all as JSON lines' });
    const lines = (await (await page.request.get(`${base}${await download.getAttribute('href')}`)).text()).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { external_id: string }).external_id)).toEqual(['7']);
    await check(page, '06-run');

    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('heading', { name: 'Runs' }).waitFor();
    await page.getByLabel('Status').selectOption('succeeded');
    await page.getByRole('cell', { name: 'hubspot-contacts' }).waitFor();
    await check(page, '07-runs');

    // The workbench: a mistake shown at its line, fixed, previewed, saved.
    await page.getByRole('link', { name: 'Workbench' }).click();
    await page.getByLabel('Definition', { exact: true }).selectOption('hubspot-contacts');
    await page.getByTestId('valid').waitFor();
    const editor = page.getByRole('textbox', { name: 'mapping hubspot-contacts (JSON)' });
    const original = await page.evaluate(() => document.querySelector('.cm-content')?.textContent ?? '');
    expect(original).toContain('"title": "properties.jobtitle"');
    // Completion from the mapping's JSON Schema: a property of `push` the file lacks, with its documentation.
    const withBlank = JSON.stringify(engine.registry.mapping('hubspot-contacts'), null, 2).replace('"push": {', '"push": {\n    "@@": null,');
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.insertText(withBlank);
    await page.keyboard.press('ControlOrMeta+f');
    await page.keyboard.type('@@');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.keyboard.type('del');
    await page.keyboard.press('Control+Space');
    await page.locator('.cm-tooltip-autocomplete').getByRole('option', { name: /^delete/ }).waitFor();
    await page.locator('.cm-completionInfo').filter({ hasText: 'records deleted in the CRM' }).waitFor();
    await page.keyboard.press('Escape');
    const text = JSON.stringify(JSON.parse(readFileSync(join(dir, 'mappings', 'hubspot-contacts.json'), 'utf8')), null, 2);
    const broken = text.replace('"title": "properties.jobtitle"', '"titel": "properties.jobtitle"');
    const line = broken.split('\n').findIndex((l) => l.includes('"titel"')) + 1;
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.insertText(broken);
    const problem = page.getByRole('list', { name: 'Problems' }).getByRole('listitem').first();
    await problem.waitFor();
    expect(await problem.textContent()).toMatch(new RegExp(`^Line ${line}, column \\d+: .*titel`));
    // The editor marks the same line.
    const marked = await page.evaluate(() => {
      const lines = [...document.querySelectorAll('.cm-content > .cm-line')];
      return lines.findIndex((l) => l.querySelector('.cm-lintRange-error') !== null) + 1;
    });
    expect(marked).toBe(line);
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await check(page, '08-workbench-problem');
    await editor.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.insertText(text.replace('"lifecycle_stage": "properties.lifecyclestage"', '"lifecycle_stage": {"value": "lead"}'));
    await page.getByTestId('valid').waitFor();
    await page.getByRole('button', { name: 'Test read' }).click();
    await page.getByRole('status').filter({ hasText: /Read \d+ record\(s\) in 1 page/ }).waitFor();
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByRole('heading', { name: /row\(s\) for contacts, 1 rejected \(nothing written\)/ }).waitFor();
    await page.getByRole('cell', { name: /email/ }).first().waitFor();
    await check(page, '09-workbench-preview');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved mappings/hubspot-contacts.json' }).waitFor();
    expect(JSON.parse(readFileSync(join(dir, 'mappings', 'hubspot-contacts.json'), 'utf8')).fields.lifecycle_stage).toEqual({ value: "lead" });
    expect(engine.registry.mapping('hubspot-contacts').fields['lifecycle_stage']).toEqual({ value: "lead" });

    // Two schedules on one mapping: every 15 minutes, and a full run every night.
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('link', { name: 'hubspot-demo' }).click();
    await page.getByRole('heading', { name: 'Connection hubspot-demo' }).waitFor();
    const add = page.getByRole('form', { name: 'Add a schedule' });
    // Keyboard only: from the name field, Tab through the form and Enter to submit.
    await add.getByLabel('Name').focus();
    await page.keyboard.type('every 15 minutes');
    await page.keyboard.press('Tab'); // mapping: the first (hubspot-calls) is not it
    await add.getByLabel('Mapping').selectOption('hubspot-contacts');
    await add.getByLabel('Time zone').fill('Europe/Paris');
    await add.getByLabel('Time zone').press('Enter');
    await page.getByRole('rowheader', { name: 'every 15 minutes' }).waitFor();
    await add.getByLabel('Name').fill('nightly full');
    await add.getByLabel('Mapping').selectOption('hubspot-contacts');
    await add.getByLabel('Mode').selectOption('full');
    await add.getByLabel('Cron').fill('0 2 * * *');
    await add.getByRole('button', { name: 'Add schedule' }).click();
    const nightly = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'nightly full' }) });
    await nightly.waitFor();
    expect(await nightly.textContent()).toMatch(/T?02:00:00\+01:00/);
    const schedules = await (await page.request.get(`${base}/connections/hubspot-demo/schedules`)).json();
    expect((schedules as Array<{ mapping: string; mode: string; cron: string }>).map((s) => [s.mapping, s.mode, s.cron]).sort()).toEqual([
      ['hubspot-contacts', 'full', '0 2 * * *'],
      ['hubspot-contacts', 'incremental', '*/15 * * * *'],
    ]);
    await check(page, '10-schedules');

    // The CRM browser: a synced contact with its link to the connection.
    await page.getByRole('link', { name: 'CRM' }).click();
    await page.getByRole('heading', { name: 'CRM contacts' }).waitFor();
    await check(page, '11-crm-contacts');
    await page.getByRole('table').getByRole('link').first().click();
    await page.getByRole('heading', { name: 'External ids' }).waitFor();
    await page.getByRole('rowheader', { name: 'hubspot-demo' }).waitFor();
    await check(page, '12-crm-record');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Switchboard' }).waitFor();
    expect((await page.request.get(`${base}/connections`)).status()).toBe(401);
    await page.close();
  });

  it('shows a viewer every write control disabled, and the API refuses every write (403)', async () => {
    const page = await newPage();
    await signIn(page, VIEWER);
    expect(await page.getByRole('button', { name: 'New connection' }).isDisabled()).toBe(true);
    await page.getByRole('link', { name: 'hubspot-demo' }).click();
    await page.getByRole('heading', { name: 'Connection hubspot-demo' }).waitFor();
    for (const name of ['Test connection', 'Disable', 'Delete…', 'Start run', 'Add schedule', 'Save settings']) {
      expect({ name, disabled: await page.getByRole('button', { name, exact: true }).isDisabled() }).toEqual({ name, disabled: true });
    }
    for (const b of await page.getByRole('table', { name: 'Schedules of this connection' }).getByRole('button').all()) expect(await b.isDisabled()).toBe(true);
    await check(page, '13-viewer-connection');
    await page.getByRole('link', { name: 'Runs', exact: true }).click();
    await page.getByRole('table').getByRole('link').first().click();
    await page.getByRole('heading', { name: /^Run of / }).waitFor();
    for (const name of ['Run again (incremental)', 'Run again (full)']) expect(await page.getByRole('button', { name }).isDisabled()).toBe(true);
    await page.getByRole('link', { name: 'Workbench' }).click();
    await page.getByLabel('Definition', { exact: true }).selectOption('hubspot-contacts');
    await page.getByTestId('valid').waitFor();
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Test read' }).isDisabled()).toBe(true);
    await check(page, '14-viewer-workbench');

    // Every write the console can make (an operation needing a scope other than *:read), sent
    // with the viewer's session and CSRF token. Validating and previewing read only.
    const paths = doc['paths'] as Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
    const isWrite = (e: string): boolean => {
      const [method, path] = e.split(' ') as [string, string];
      const op = paths[path.replace('{entity}', 'contacts')]?.[method.toLowerCase()];
      return (op?.security ?? []).some((alt) => (alt['oauth2'] ?? []).some((scope) => !scope.endsWith(':read')));
    };
    const writes = ENDPOINTS.filter(isWrite).map((e) => {
      const [method, path] = e.split(' ') as [string, string];
      return { method, url: path.replace('{entity}', 'contacts').replace(/\{[a-z_]+\}/g, 'x0') };
    });
    expect(writes.length).toBeGreaterThan(10);
    const statuses = await page.evaluate(async (list) => {
      const s = (await (await fetch('/session')).json()) as { csrf_token: string };
      const out: Array<[string, number]> = [];
      for (const w of list) {
        const res = await fetch(w.url, { method: w.method, headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrf_token }, body: '{}' });
        out.push([`${w.method} ${w.url}`, res.status]);
      }
      return out;
    }, writes);
    expect(statuses.filter(([, status]) => status !== 403)).toEqual([]);
    await page.close();
  });

  it('calls only operations of the OpenAPI document', () => {
    expect(calls.size).toBeGreaterThan(10);
    const undocumented = [...calls].filter((c) => documentedOperation(doc, c) === undefined);
    expect(undocumented).toEqual([]);
  });
});
