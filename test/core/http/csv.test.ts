// The bulk results parser: CSV rows whatever the chunk boundaries (inside quotes, between CR and
// LF, inside a multi-byte character), the declared delimiter and line ending, typed columns,
// empty fields as null, and JSON lines; broken input is an invalid response, never a short read.
import { recordParser } from '../../../core/http/csv';
import type { BulkFormat } from '../../../core/generated/connector';

function parseAll(format: BulkFormat, text: string, size: number): unknown[] {
  const parser = recordParser(format);
  const bytes = Buffer.from(text, 'utf8');
  const out: unknown[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...parser.push(bytes.subarray(i, i + size)));
  out.push(...parser.end());
  return out;
}

const CSV = '"Id","Name","IsDeleted","Amount","Notes"\r\n"001","Ada ""the first"" Lovelace","false","12.5","line one\r\nline two"\r\n"002","Zoë; Ltd","true","",""\r\n';

describe('bulk results parser', () => {
  it.each([1, 2, 3, 7, 1000])('reads the same records whatever the chunk size (%i bytes)', (size) => {
    const format: BulkFormat = { type: 'csv', line_ending: 'CRLF', types: { IsDeleted: 'boolean', Amount: 'number' } };
    expect(parseAll(format, CSV, size)).toEqual([
      { Id: '001', Name: 'Ada "the first" Lovelace', IsDeleted: false, Amount: 12.5, Notes: 'line one\r\nline two' },
      { Id: '002', Name: 'Zoë; Ltd', IsDeleted: true, Amount: null, Notes: null },
    ]);
  });

  it('uses the declared delimiter, nests dotted columns, and keeps empty strings when asked', () => {
    const text = 'Id^Account.Name^Title\n1^Acme^\n';
    expect(parseAll({ type: 'csv', delimiter: '^', nested: true, empty: 'empty_string' }, text, 4)).toEqual([{ Id: '1', Account: { Name: 'Acme' }, Title: '' }]);
  });

  it('refuses what it cannot read: LF rows where CRLF was asked for, a body ending inside quotes, a row of the wrong width, a bad boolean', () => {
    expect(() => parseAll({ type: 'csv', line_ending: 'CRLF' }, 'a,b\n1,2\n', 100)).toThrow(/LF, but the job was asked for CRLF/);
    expect(() => parseAll({ type: 'csv' }, 'a,b\n"1,2\n', 100)).toThrow(/ends inside a quoted field/);
    expect(() => parseAll({ type: 'csv' }, 'a,b\n1\n', 100)).toThrow(/1 fields where the header names 2/);
    expect(() => parseAll({ type: 'csv', types: { a: 'boolean' } }, 'a\nyes\n', 100)).toThrow(/not true or false/);
  });

  it('reads JSON lines across chunks', () => {
    expect(parseAll({ type: 'jsonl' }, '{"id":1,"n":"é"}\n\n{"id":2}\n{"id":3}', 3)).toEqual([{ id: 1, n: 'é' }, { id: 2 }, { id: 3 }]);
    expect(() => parseAll({ type: 'jsonl' }, '{"id":1\n', 100)).toThrow(/not JSON/);
  });
});
