// Templates: typed single expressions, helpers, the closed context (unknown roots and helpers,
// prototype access), no HTML escaping, compileTree, and agreement with Handlebars itself.
import { isSwitchboardError } from '../../../core/errors';
import {
  HELPER_NAMES,
  TEMPLATE_ROOTS,
  TRANSFORM_NAMES,
  analyzeTemplate,
  applyTransform,
  checkTemplate,
  compileTemplate,
  compileTransforms,
  compileTree,
  type TemplateContext,
} from '../../../core/templates';
import { renderWithHandlebars } from '../../../core/templates/environment';

const ctx: TemplateContext = {
  config: { api_key: 'abc123-us6', subdomain: 'acme', limit: 50, flags: { sandbox: true }, empty: '' },
  state: { cursor: '2024-09-11T13:27:39.356Z' },
  record: {
    id: 42,
    name: 'Ada Lovelace',
    email: '  Ada@Example.COM ',
    active: true,
    score: '17.5',
    tags: ['a', 'b'],
    properties: { email: 'ada@example.com', phone: null, nested: { deep: 1 } },
    html: '<b>&</b>',
  },
  page: { number: 2, size: 100 },
  now: '2025-01-02T03:04:05.000Z',
};

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(isSwitchboardError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    if (message !== undefined) expect((err as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected a throw');
}

describe('single expressions keep the value type', () => {
  it.each([
    ['{{config.limit}}', 50],
    ['{{record.active}}', true],
    ['{{record.tags}}', ['a', 'b']],
    ['{{record.properties.nested}}', { deep: 1 }],
    ['{{record.properties.phone}}', null],
    ['{{record.missing}}', undefined],
    ['{{number record.score}}', 17.5],
    ['{{unix state.cursor}}', 1726061259],
    ['{{eq page.number 2}}', true],
    ['{{lookup record.tags 1}}', 'b'],
  ])('%s', (source, expected) => {
    expect(compileTemplate(source)(ctx)).toEqual(expected);
  });

  it('returns the same object, not a copy, and no string for objects', () => {
    const value = compileTemplate('{{record.properties}}')(ctx);
    expect(value).toBe((ctx.record as { properties: unknown }).properties);
  });
});

describe('string templates', () => {
  it.each([
    ['https://{{config.subdomain}}.zendesk.com/api/v2', 'https://acme.zendesk.com/api/v2'],
    ['https://{{lookup (split config.api_key "-") 1}}.api.mailchimp.com/3.0', 'https://us6.api.mailchimp.com/3.0'],
    ['n={{config.limit}} missing=[{{record.nope}}] null=[{{record.properties.phone}}]', 'n=50 missing=[] null=[]'],
    ['{{record.tags}}!', '["a","b"]!'],
    ['{{#if config.flags.sandbox}}sandbox{{else}}live{{/if}}', 'sandbox'],
    ['{{#unless config.empty}}none{{/unless}}', 'none'],
    [' {{config.limit}}', ' 50'],
    ['{{!-- a comment --}}{{config.limit}}', '50'],
  ])('%s', (source, expected) => {
    expect(compileTemplate(source)(ctx)).toBe(expected);
  });

  it('does not escape HTML', () => {
    expect(compileTemplate('<p>{{record.html}}</p>')(ctx)).toBe('<p><b>&</b></p>');
    expect(compileTemplate('{{{record.html}}}')(ctx)).toBe('<b>&</b>');
  });

  it('treats strings without {{ as constants', () => {
    const t = compileTemplate('/crm/v3/objects/contacts');
    expect(t.constant).toBe(true);
    expect(t.roots.size).toBe(0);
    expect(t({})).toBe('/crm/v3/objects/contacts');
    const escaped = compileTemplate('\\{{literal}}');
    expect(escaped.constant).toBe(true);
    expect(escaped({})).toBe('{{literal}}');
  });

  it('reports the roots it uses and caches compiled templates', () => {
    const t = compileTemplate('{{config.a}}-{{state.cursor}}-{{now}}');
    expect([...t.roots].sort()).toEqual(['config', 'now', 'state']);
    expect(compileTemplate('{{config.a}}-{{state.cursor}}-{{now}}')).toBe(t);
  });

  it('fills now with the current time when the context has none', () => {
    const value = compileTemplate('{{now}}')({}) as string;
    expect(Math.abs(Date.parse(value) - Date.now())).toBeLessThan(5000);
  });
});

describe('helpers', () => {
  const render = (source: string): unknown => compileTemplate(source)(ctx);
  it.each([
    ['{{default record.properties.phone "n/a"}}', 'n/a'],
    ['{{default config.empty record.missing "x"}}', 'x'],
    ['{{lowercase (trim record.email)}}', 'ada@example.com'],
    ['{{uppercase "abc"}}', 'ABC'],
    ['{{concat record.name " <" record.properties.email ">"}}', 'Ada Lovelace <ada@example.com>'],
    ['{{join record.tags "|"}}', 'a|b'],
    ['{{split "a,b,c"}}', ['a', 'b', 'c']],
    ['{{replace "a-b-c" "-" "+"}}', 'a+b+c'],
    ['{{json record.properties.nested}}', '{"deep":1}'],
    ['{{number "12"}}', 12],
    ['{{boolean "yes"}}', true],
    ['{{boolean 0}}', false],
    ['{{date state.cursor}}', '2024-09-11'],
    ['{{date state.cursor "YYYY/MM/DD HH:mm"}}', '2024/09/11 13:27'],
    ['{{date "2023-02-08 05:30:20" "X"}}', '1675834220'],
    ['{{iso "2023-02-08 05:30:20"}}', '2023-02-08T05:30:20.000Z'],
    ['{{iso "08/02/2023" parse="DD/MM/YYYY"}}', '2023-02-08T00:00:00.000Z'],
    ['{{iso 1680893993}}', '2023-04-07T18:59:53.000Z'],
    ['{{unix_ms "1970-01-01T00:00:01Z"}}', 1000],
    ['{{base64 (concat "anystring:" config.api_key)}}', Buffer.from('anystring:abc123-us6').toString('base64')],
    ['{{urlencode "a b&c"}}', 'a%20b%26c'],
    ['{{ne 1 2}}', true],
    ['{{gt page.number 1}}', true],
    ['{{lt "a" "b"}}', true],
    ['{{and record.active config.limit}}', true],
    ['{{or config.empty record.missing}}', false],
    ['{{not record.tags}}', false],
  ])('%s', (source, expected) => {
    expect(render(source)).toEqual(expected);
  });

  it('lists its helpers and transforms', () => {
    for (const name of ['default', 'lowercase', 'uppercase', 'trim', 'concat', 'join', 'split', 'replace', 'json', 'number', 'boolean', 'date', 'unix', 'iso', 'base64', 'urlencode', 'eq', 'ne', 'gt', 'lt', 'and', 'or', 'not', 'lookup']) {
      expect(HELPER_NAMES).toContain(name);
    }
    for (const name of TRANSFORM_NAMES) expect(HELPER_NAMES).toContain(name);
  });

  it('applies transforms directly and in order', () => {
    expect(applyTransform('lowercase', 'ABC')).toBe('abc');
    expect(applyTransform('number', ' 3.5 ')).toBe(3.5);
    expect(applyTransform('trim', undefined)).toBeUndefined();
    expect(compileTransforms(['trim', 'lowercase'])('  A@B.COM ')).toBe('a@b.com');
    expect(compileTransforms([])('x')).toBe('x');
    expectCode(() => applyTransform('number', 'abc'), 'SB_TEMPLATE_RENDER_FAILED', /not a number/);
    expectCode(() => applyTransform('lowercase', { a: 1 }), 'SB_TEMPLATE_RENDER_FAILED');
    expectCode(() => applyTransform('replace', 'x'), 'SB_TEMPLATE_INVALID', /unknown transform/);
  });

  it('wraps render failures with the template', () => {
    expectCode(() => compileTemplate('{{number record.name}}')(ctx), 'SB_TEMPLATE_RENDER_FAILED', /number: "Ada Lovelace" is not a number.*in template/);
    expectCode(() => compileTemplate('{{date record.name}}')(ctx), 'SB_TEMPLATE_RENDER_FAILED', /cannot read a date/);
  });
});

describe('the closed context', () => {
  it.each([
    ['{{recrod.id}}', /unknown root "recrod" — did you mean "record"\?/],
    ['{{secrets.key}}', /unknown root "secrets": paths start with one of config, state/],
    ['{{lowercas record.name}}', /unknown helper "lowercas" — did you mean "lowercase"\?/],
    ['{{exec "rm"}}', /unknown helper "exec"/],
    ['{{#each record.tags}}{{this}}{{/each}}', /block "{{#each}}" is not available/],
    ['{{> partial}}', /partials/],
    ['{{@index}}', /data variables/],
    ['{{../config}}', /parent paths/],
    ['{{this}}', /"this" is not available/],
    ['{{record.constructor}}', /"constructor" is not accessible/],
    ['{{record.constructor.constructor}}', /"constructor" is not accessible/],
    ['{{record.__proto__}}', /"__proto__" is not accessible/],
    ['{{record.[__proto__].polluted}}', /"__proto__" is not accessible/],
    ['{{lookup record.prototype "x"}}', /"prototype" is not accessible/],
    ['{{config.x', /"{{" is not closed/],
    ['{{#if config.x}}open', /block is not closed/],
    ['{{"literal"}}', /a literal needs no/],
  ])('refuses %s', (source, message) => {
    expectCode(() => compileTemplate(source), 'SB_TEMPLATE_INVALID', message);
  });

  it('restricts roots by place', () => {
    expectCode(() => compileTemplate('{{record.id}}', { roots: ['config', 'state'] }), 'SB_TEMPLATE_INVALID', /root "record" is not available here; this template may use: config, state/);
    expect(compileTemplate('{{config.subdomain}}', { roots: ['config'] })(ctx)).toBe('acme');
  });

  it('never reaches prototypes through lookup at render time', () => {
    const t = compileTemplate('{{lookup record config.key}}');
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(t({ record: {}, config: { key } })).toBeUndefined();
    }
    expect(compileTemplate('{{lookup record "constructor"}}')({ record: {} })).toBeUndefined();
    expect(compileTemplate('{{record.toString}}')({ record: {} })).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('gives positions of syntax errors, roots and helpers', () => {
    expect(analyzeTemplate('a\n  {{recrod.x}} {{lowercas config.y}}')).toEqual({
      roots: ['recrod', 'config'],
      helpers: ['lowercas'],
      uses: [
        { kind: 'root', name: 'recrod', path: ['recrod', 'x'], line: 2, column: 5 },
        { kind: 'helper', name: 'lowercas', line: 2, column: 18 },
        { kind: 'root', name: 'config', path: ['config', 'y'], line: 2, column: 27 },
      ],
    });
    expect(analyzeTemplate('x\n{{config.a').error).toEqual({ message: 'template syntax error: "{{" is not closed with "}}"', line: 2, column: 1 });
    expect(analyzeTemplate('{{config.a b=}}').error).toMatchObject({ line: 1, column: 14 });
    expect(checkTemplate('{{config.a}} {{state.cursor}}', ['config'])).toEqual([
      { message: 'root "state" is not available here; this template may use: config', line: 1, column: 16 },
    ]);
  });

  it('never throws from analyzeTemplate', () => {
    for (const source of ['{{', '}}', '{{{{raw}}}}', '{{#if}}', '{{else}}', '{{/if}}', '{{a.[}}', '\u0000{{x}}', '{{!--']) {
      expect(() => analyzeTemplate(source)).not.toThrow();
    }
  });

  it('exposes the root list of the context', () => {
    expect(TEMPLATE_ROOTS).toEqual(['config', 'state', 'record', 'last_record', 'response', 'page', 'now', 'parent', 'parents', 'records', 'request', 'job']);
  });
});

describe('compileTree', () => {
  it('builds a fresh value per call, keeping types of single expressions', () => {
    const build = compileTree({
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '{{state.cursor}}' }] }],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      limit: 100,
      properties: '{{record.properties}}',
    });
    const a = build(ctx) as Record<string, unknown>;
    const b = build(ctx) as Record<string, unknown>;
    expect(a).toEqual({
      filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '2024-09-11T13:27:39.356Z' }] }],
      sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
      limit: 100,
      properties: { email: 'ada@example.com', phone: null, nested: { deep: 1 } },
    });
    expect(a).not.toBe(b);
    expect(a['filterGroups']).not.toBe(b['filterGroups']);
    expect(Object.isFrozen(a['sorts'])).toBe(true);
  });

  it('returns one frozen constant for trees without templates', () => {
    const build = compileTree({ a: [1, 'two', { three: null }] });
    expect(build({})).toBe(build({}));
    expect(Object.isFrozen((build({}) as { a: unknown }).a)).toBe(true);
  });

  it('keeps a "__proto__" key as data', () => {
    const value = JSON.parse('{"__proto__": {"x": "{{config.limit}}"}, "y": "{{config.limit}}"}') as unknown;
    const out = compileTree(value)(ctx) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, '__proto__')?.value).toEqual({ x: 50 });
  });

  it('names the JSON pointer of a bad template', () => {
    expectCode(() => compileTree({ body: { items: ['ok', '{{recrod.id}}'] } }), 'SB_TEMPLATE_INVALID', /at \/body\/items\/1/);
  });
});

describe('matches Handlebars itself', () => {
  // Our closures against the reference renderer (the private environment, knownHelpersOnly,
  // noEscape) on templates whose values print the same in both (no objects or arrays).
  const corpus = [
    'plain text',
    'Hello {{record.name}}!',
    '{{config.limit}} per page, page {{page.number}}',
    '{{lowercase (trim record.email)}}',
    '{{#if record.active}}on{{else}}off{{/if}}-{{#unless record.active}}x{{/unless}}',
    '{{#if record.missing}}a{{else if config.limit}}b{{/if}}',
    'a {{~ config.subdomain ~}} b',
    '{{default record.properties.phone "none"}} / {{concat "x" 1 true}}',
    '{{record.missing}}|{{record.properties.phone}}|{{record.active}}',
    '{{lookup (split config.api_key "-") 1}}',
    '<{{record.html}}>',
    'line 1\n{{config.subdomain}}\n  line 3',
    '{{date state.cursor "YYYY-MM-DD"}} {{unix state.cursor}}',
  ];
  it.each(corpus)('%s', (source) => {
    expect(String(compileTemplate(source)(ctx))).toBe(renderWithHandlebars(source, ctx));
  });
});

describe('the parser shortcut for plain paths', () => {
  // Text and {{root.path}} templates skip the Handlebars parser; appending a comment sends the
  // same template through it. Both must see the same uses at the same places.
  const simple = [
    '{{config.token}}',
    'https://{{config.subdomain}}.zendesk.com/api/v2',
    '/lists/{{ config.list_id }}/members/{{record.0.id}}',
    'a\nb {{state.cursor}}\n  {{recrod.x}} {{$x._y}}',
    '{{json}}',
    '{{config.constructor}}',
  ];
  it.each(simple)('%s', (source) => {
    const viaHandlebars = analyzeTemplate(`${source}{{!-- --}}`);
    expect(analyzeTemplate(source)).toEqual(viaHandlebars);
    if (checkTemplate(source).length === 0) expect(toTextOf(compileTemplate(source)(ctx))).toBe(compileTemplate(`${source}{{!-- --}}`)(ctx));
  });

  function toTextOf(value: unknown): string {
    return typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value);
  }
});
