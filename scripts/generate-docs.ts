// `npm run docs`: writes docs/connectors.md and docs/mappings.md, the field-by-field
// reference, from the schemas' descriptions plus the introductions and examples kept here.
// The staleness test calls generateDocs() and compares in memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, isObject, readSchema, runMain, writeOrCheck, type GeneratedFile, type SchemaKind } from './generated-files';
import { HELPER_NAMES } from '../core/templates';
import { HELPER_DOCS, TEMPLATES_SECTION, WEBHOOKS_INTRO, WEBHOOK_EXAMPLES, connectorIntro, mappingIntro } from './docs-text';

type Schema = Record<string, unknown>;

/** Markdown-safe table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function anchor(title: string): string {
  return `#${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

class Reference {
  private readonly defs: Record<string, Schema>;
  /** $def titles in the order a reader meets them, walking from the root. */
  readonly order: string[] = [];

  constructor(private readonly root: Schema) {
    this.defs = isObject(root['$defs']) ? (root['$defs'] as Record<string, Schema>) : {};
    this.walk(root);
  }

  private def(ref: string): Schema {
    const def = this.defs[ref.replace('#/$defs/', '')];
    if (def === undefined) throw new Error(`unknown $ref ${ref}`);
    return def;
  }

  private walk(schema: Schema): void {
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(visit);
      else if (isObject(value)) {
        const ref = value['$ref'];
        if (typeof ref === 'string') {
          const target = this.def(ref);
          const title = String(target['title']);
          if (!this.order.includes(title)) {
            this.order.push(title);
            this.walk(target);
          }
        } else {
          for (const child of Object.values(value)) visit(child);
        }
      }
    };
    for (const key of ['properties', 'additionalProperties', 'items', 'oneOf']) visit(schema[key]);
  }

  /** How a property's type reads in the table. */
  typeOf(schema: Schema): string {
    const ref = schema['$ref'];
    if (typeof ref === 'string') {
      const title = String(this.def(ref)['title']);
      return `[${title}](${anchor(title)})`;
    }
    if ('const' in schema) return `\`${JSON.stringify(schema['const'])}\``;
    if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[]).map((v) => `\`${JSON.stringify(v)}\``).join(' | ');
    if (Array.isArray(schema['oneOf'])) return (schema['oneOf'] as Schema[]).map((s) => this.typeOf(s)).join(' or ');
    const type = schema['type'];
    if (type === 'array') return `array of ${isObject(schema['items']) ? this.typeOf(schema['items']) : 'any'}`;
    if (type === 'object' && isObject(schema['additionalProperties'])) return `map of ${this.typeOf(schema['additionalProperties'])}`;
    if (Array.isArray(type)) return type.join(' | ');
    if (typeof type === 'string') return type === 'object' ? 'object (free-form)' : type;
    return 'any JSON';
  }

  private table(schema: Schema): string[] {
    const properties = isObject(schema['properties']) ? (schema['properties'] as Record<string, Schema>) : {};
    const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
    if (Object.keys(properties).length === 0) return [];
    const rows = Object.entries(properties).map(([name, prop]) => {
      const fallback = 'default' in prop ? `\`${JSON.stringify(prop['default'])}\`` : '';
      return `| \`${name}\` | ${cell(this.typeOf(prop))} | ${required.includes(name) ? 'yes' : ''} | ${cell(fallback)} | ${cell(String(prop['description'] ?? ''))} |`;
    });
    const open = schema['additionalProperties'] === false ? [] : ['', 'Other JSON Schema keywords are allowed too.'];
    return ['| property | type | required | default | description |', '| --- | --- | --- | --- | --- |', ...rows, ...open];
  }

  section(title: string, schema: Schema): string[] {
    const out = [`### ${title}`, '', String(schema['description'] ?? '')];
    if (Array.isArray(schema['oneOf'])) {
      const variants = (schema['oneOf'] as Schema[]).map((s) => `- ${this.typeOf(s)}`);
      const by = isObject(schema['discriminator']) ? ` (chosen by \`${String(schema['discriminator']['propertyName'])}\`)` : '';
      out.push('', `One of${by}:`, '', ...variants);
    } else if (schema['type'] !== 'object' || !isObject(schema['properties'])) {
      out.push('', `Type: ${this.typeOf({ ...schema, title: undefined })}.`);
    }
    const table = this.table(schema);
    if (table.length > 0) out.push('', ...table);
    return [...out, ''];
  }

  render(): string[] {
    const out = this.section(String(this.root['title']), this.root);
    for (const title of this.order) {
      const def = Object.values(this.defs).find((d) => d['title'] === title)!;
      out.push(...this.section(title, def));
    }
    return out;
  }
}

/** A definition file shown as an example: from test/fixtures/valid, or (with a folder) test/fixtures (the e2e suites replay those). */
function example(file: string): string[] {
  const text = readFileSync(join(ROOT, 'test', 'fixtures', ...(file.includes('/') ? [file] : ['valid', file])), 'utf8').trimEnd();
  return ['```json', text, '```', ''];
}

const EXAMPLES: Record<SchemaKind, Array<{ title: string; file: string }>> = {
  connector: [
    { title: 'HubSpot: bearer token, cursor pagination, incremental search with a request of its own', file: 'hubspot.json' },
    { title: 'HubSpot: OAuth refresh tokens, rate-limit headers, restarts, a batch upsert action', file: 'hubspot-batch.json' },
    { title: 'Pipedrive: API key header, cursor and offset pagination, `param` incremental', file: 'pipedrive.json' },
    { title: 'Salesforce: OAuth with `base_url_from`, `next_url` pagination, deletions', file: 'salesforce.json' },
    { title: 'Stripe: cursor from the last record, form-encoded action', file: 'stripe.json' },
    { title: 'Shopify: `Link` header pagination', file: 'shopify.json' },
    { title: 'Zendesk: basic auth, cursor export with `done_path`, signed webhooks', file: 'zendesk.json' },
    { title: 'Mailchimp: base URL from the API key, offset pagination with a total', file: 'mailchimp.json' },
    { title: 'Zendesk-style ticket comments: a child stream whose parents are read incrementally, a record filter (replayed by test/e2e/child-streams.test.ts)', file: 'e2e/connectors/zd-desk.json' },
    { title: 'HubSpot-style deals: two associations batch reads per page, a deletion marker (replayed by test/e2e/follow-ups.test.ts)', file: 'e2e/connectors/hub-deals.json' },
  ],
  mapping: [
    { title: 'HubSpot contacts (the FORMAT.md example)', file: 'hubspot-contacts.json' },
    { title: 'Pipedrive persons: refs, templates, push with the external id', file: 'pipedrive-persons.json' },
    { title: 'Zendesk tickets as activities: constants, lookup tables, defaults', file: 'zendesk-tickets.json' },
    { title: 'HubSpot companies pushed through a batch action', file: 'hubspot-batch-companies.json' },
    { title: 'Ticket comments as activities: fields and a ref read from the parent ticket (replayed by test/e2e/child-streams.test.ts)', file: 'e2e/mappings/zd-desk-comments.json' },
    { title: 'Deals with their associations: entries picked by type, `cases`, arithmetic, `modified_at` (replayed by test/e2e/follow-ups.test.ts)', file: 'e2e/mappings/hub-deals-deals.json' },
  ],
};

/** The webhooks section: the prose, then each example, shipped ones read from connectors/ (so the docs show what the tests verify). */
function webhooksSection(): string[] {
  const out = [...WEBHOOKS_INTRO, ''];
  for (const { title, text, connector, webhooks } of WEBHOOK_EXAMPLES) {
    const shown = connector === undefined ? webhooks : (JSON.parse(readFileSync(join(ROOT, 'connectors', `${connector}.json`), 'utf8')) as { webhooks?: unknown }).webhooks;
    if (shown === undefined) throw new Error(`connectors/${connector ?? '?'}.json has no webhooks section`);
    const from = connector === undefined ? [] : ['', `From \`connectors/${connector}.json\`:`];
    out.push(`### ${title}`, '', ...text, ...from, '', '```json', `"webhooks": ${JSON.stringify(shown, null, 2)}`, '```', '');
  }
  return out;
}

function helperTable(): string[] {
  const undocumented = HELPER_NAMES.filter((name) => HELPER_DOCS[name] === undefined);
  const unknown = Object.keys(HELPER_DOCS).filter((name) => !HELPER_NAMES.includes(name));
  if (undocumented.length + unknown.length > 0) throw new Error(`helper docs out of step: undocumented ${undocumented.join(', ')}; unknown ${unknown.join(', ')}`);
  return [
    '| helper | use |',
    '| --- | --- |',
    ...Object.entries(HELPER_DOCS).map(([name, text]) => `| \`${name}\` | ${cell(text)} |`),
    '',
  ];
}

export function generateDocs(): GeneratedFile[] {
  return (['connector', 'mapping'] as const).map((kind) => {
    const schema = readSchema(kind);
    const lines = [
      `<!-- Generated from core/schemas/${kind}.schema.json and scripts/docs-text.ts by \`npm run docs\`. Do not edit: a test fails when this file is stale. -->`,
      '',
      ...(kind === 'connector' ? connectorIntro : mappingIntro),
      '',
      ...TEMPLATES_SECTION,
      '',
      ...(kind === 'connector' ? ['### Helpers', '', ...helperTable()] : []),
      '## Examples',
      '',
      ...EXAMPLES[kind].flatMap(({ title, file }) => [`### ${title}`, '', ...example(file)]),
      ...(kind === 'connector' ? webhooksSection() : []),
      '## Reference',
      '',
      ...new Reference(schema).render(),
    ];
    return { path: join('docs', `${kind}s.md`), content: `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n` };
  });
}

if (require.main === module) runMain(() => writeOrCheck(generateDocs, 'npm run docs'));
