// Shared ground for the semantic checks (pass two): safe readers for values that may not
// match the schema (pass one reports those; pass two must never throw on them), problem
// collection, and template checks placed at the right line and column of the file.
import { analyzeTemplate, checkTemplate, type TemplateRoot } from '../templates';
import { didYouMean } from '../templates/suggest';
import { positionInString, problemAt, type Anchor, type SourceDocument } from './json-source';
import { joinPointer, type Problem } from './problems';

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Own entries of an object value (none for anything else). */
export function entriesOf(value: unknown): Array<[string, unknown]> {
  const object = asObject(value);
  return object === undefined ? [] : Object.entries(object);
}

export function has(object: JsonObject | undefined, key: string): boolean {
  return object !== undefined && Object.hasOwn(object, key) && object[key] !== undefined;
}

export class Checker {
  readonly problems: Problem[] = [];

  /**
   * @param configNames the settings a connection supplies (from `config_schema.properties`),
   *   when declared: templates reading `config.<other>` are reported.
   */
  constructor(
    readonly doc: SourceDocument,
    private readonly configNames: ReadonlySet<string> | undefined,
  ) {}

  add(pointer: string, message: string, options: { hint?: string | undefined; anchor?: Anchor } = {}): void {
    this.problems.push(problemAt(this.doc, pointer, message, options));
  }

  /** One template string at `pointer`, allowed the given roots. */
  template(pointer: string, value: unknown, roots: readonly TemplateRoot[]): void {
    if (typeof value !== 'string' || !value.includes('{{')) return;
    const at = (line: number, column: number) => positionInString(this.doc, pointer, line, column);
    for (const issue of checkTemplate(value, roots)) {
      this.problems.push({ file: this.doc.file, ...at(issue.line, issue.column), pointer, message: issue.message });
    }
    if (this.configNames === undefined || !roots.includes('config')) return;
    for (const use of analyzeTemplate(value).uses) {
      const setting = use.path?.[1];
      if (use.name !== 'config' || setting === undefined || this.configNames.has(setting)) continue;
      this.problems.push({
        file: this.doc.file,
        ...at(use.line, use.column),
        pointer,
        message: `config has no setting "${setting}"${didYouMean(setting, this.configNames)}`,
        hint: `config_schema declares: ${[...this.configNames].join(', ') || 'nothing'}`,
      });
    }
  }

  /**
   * A mapping template must not read the connection's secrets: what it renders lands in CRM
   * records that a `crm:read` token can read (or in payloads sent to the API). Refuses
   * `config.<secret>` (when the connector's secret settings are known) and `config` as a whole
   * (`{{json config}}`, `{{lookup config "key"}}`), each at its line and column.
   */
  noSecrets(pointer: string, value: unknown, field: string, secrets: ReadonlySet<string> | undefined, connectorId: string | undefined): void {
    if (typeof value !== 'string' || !value.includes('{{')) return;
    for (const use of analyzeTemplate(value).uses) {
      if (use.kind !== 'root' || use.name !== 'config') continue;
      const setting = use.path?.[1];
      const at = positionInString(this.doc, pointer, use.line, use.column);
      if (setting === undefined) {
        this.problems.push({
          file: this.doc.file,
          ...at,
          pointer,
          message: `field "${field}": mapping templates cannot use config as a whole: it holds the connection's secrets`,
          hint: 'name the setting, e.g. {{config.list_id}}',
        });
      } else if (secrets?.has(setting) === true) {
        this.problems.push({
          file: this.doc.file,
          ...at,
          pointer,
          message: `field "${field}": "${setting}" is a secret setting of connector "${connectorId ?? '?'}"; mapping templates cannot read secrets (they would be copied into records readable with crm:read)`,
        });
      }
    }
  }

  /** Every string inside a JSON value (a request body) as a template. */
  tree(pointer: string, value: unknown, roots: readonly TemplateRoot[]): void {
    if (typeof value === 'string') this.template(pointer, value, roots);
    else if (Array.isArray(value)) value.forEach((item, i) => this.tree(joinPointer(pointer, i), item, roots));
    else for (const [key, child] of entriesOf(value)) this.tree(joinPointer(pointer, key), child, roots);
  }

  /** A RequestSpec: path, query, headers and body are templates. */
  request(pointer: string, value: unknown, roots: readonly TemplateRoot[]): void {
    const request = asObject(value);
    if (request === undefined) return;
    this.template(joinPointer(pointer, 'path'), request['path'], roots);
    this.tree(joinPointer(pointer, 'query'), request['query'], roots);
    this.tree(joinPointer(pointer, 'headers'), request['headers'], roots);
    this.tree(joinPointer(pointer, 'body'), request['body'], roots);
    // A GraphQL document is not a template; its variables are.
    this.tree(joinPointer(pointer, 'graphql', 'variables'), asObject(request['graphql'])?.['variables'], roots);
  }
}

/** Whether any template inside a JSON value uses a root. */
export function usesRoot(value: unknown, root: TemplateRoot): boolean {
  if (typeof value === 'string') return value.includes('{{') && analyzeTemplate(value).roots.includes(root);
  if (Array.isArray(value)) return value.some((item) => usesRoot(item, root));
  return entriesOf(value).some(([, child]) => usesRoot(child, root));
}

/** Roots by place: the validator checks each place with the list the engine compiles it with. */
export { TEMPLATE_PLACES as ROOTS } from '../templates/places';
