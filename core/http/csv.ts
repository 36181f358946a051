// Bulk results parsed as they arrive: CSV (RFC 4180 quoting, a declared delimiter and line
// ending, a header row naming the fields) or JSON lines, fed chunk by chunk; each complete row
// comes out as a record, so a result of any size is never held whole.
import { StringDecoder } from 'node:string_decoder';
import type { BulkFormat } from '../generated/connector';
import { SwitchboardError } from '../errors';

/** Turns chunks of a body into records; `end()` flushes the last row and says whether the body ended cleanly. */
export interface RecordParser {
  push(chunk: Buffer): unknown[];
  end(): unknown[];
}

function invalid(message: string): SwitchboardError {
  return new SwitchboardError('SB_HTTP_INVALID_RESPONSE', `bulk results: ${message}`);
}

/** Rows of CSV text fed in pieces: a state machine over characters, with quotes spanning chunks. */
export class CsvRows {
  private field = '';
  private row: string[] = [];
  private quoted = false;
  /** Inside a quoted field; `quoteSeen`: a quote that may close it or start an escaped quote. */
  private inQuotes = false;
  private quoteSeen = false;
  private pendingCr = false;
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly delimiter: string,
    private readonly crlf: boolean,
  ) {}

  push(chunk: Buffer, out: string[][]): void {
    this.feed(this.decoder.write(chunk), out);
  }

  end(out: string[][]): void {
    this.feed(this.decoder.end(), out);
    if (this.inQuotes && !this.quoteSeen) throw invalid('the body ends inside a quoted field');
    if (this.pendingCr) throw invalid('a row ends with CR alone');
    if (this.field !== '' || this.row.length > 0 || this.quoted) this.finishRow(out);
  }

  private finishField(): void {
    this.row.push(this.field);
    this.field = '';
    this.quoted = false;
  }

  private finishRow(out: string[][]): void {
    this.finishField();
    out.push(this.row);
    this.row = [];
  }

  private feed(text: string, out: string[][]): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (this.inQuotes) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.inQuotes = false;
          // falls through: the character after the closing quote
        } else if (c === '"') {
          this.quoteSeen = true;
          continue;
        } else {
          this.field += c;
          continue;
        }
      }
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c !== '\n') throw invalid('a row ends with CR alone, not CRLF');
        this.finishRow(out);
        continue;
      }
      if (c === '"' && this.field === '' && !this.quoted) {
        this.inQuotes = true;
        this.quoted = true;
      } else if (c === this.delimiter) this.finishField();
      else if (c === '\r' && this.crlf) this.pendingCr = true;
      else if (c === '\n') {
        if (this.crlf) throw invalid('a row ends with LF, but the job was asked for CRLF line endings');
        this.finishRow(out);
      } else if (this.quoted) throw invalid(`text after a closing quote: ${JSON.stringify(c)}`);
      else this.field += c;
    }
  }
}

function typed(value: string, type: 'string' | 'number' | 'boolean' | undefined, column: string): unknown {
  if (type === undefined || type === 'string') return value;
  if (type === 'number') {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw invalid(`column "${column}" holds ${JSON.stringify(value)}, not a number`);
    return n;
  }
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw invalid(`column "${column}" holds ${JSON.stringify(value)}, not true or false`);
}

/** A parser for the declared format. */
export function recordParser(format: BulkFormat): RecordParser {
  if (format.type === 'jsonl') {
    const decoder = new StringDecoder('utf8');
    let rest = '';
    const lines = (text: string, final: boolean): unknown[] => {
      rest += text;
      const parts = rest.split('\n');
      rest = final ? '' : parts.pop()!;
      return parts.filter((l) => l.trim() !== '').map((l) => {
        try {
          return JSON.parse(l) as unknown;
        } catch {
          throw invalid(`a line is not JSON: ${l.slice(0, 80)}`);
        }
      });
    };
    return { push: (chunk) => lines(decoder.write(chunk), false), end: () => lines(decoder.end(), true) };
  }
  const rows = new CsvRows(format.delimiter ?? ',', format.line_ending === 'CRLF');
  const empty = format.empty === 'empty_string' ? '' : null;
  const types = format.types ?? {};
  let header: string[] | undefined;
  const toRecords = (list: string[][]): unknown[] => {
    const out: unknown[] = [];
    for (const row of list) {
      if (header === undefined) {
        header = row;
        continue;
      }
      if (row.length !== header.length) throw invalid(`a row has ${row.length} fields where the header names ${header.length}`);
      const record: Record<string, unknown> = {};
      header.forEach((name, i) => {
        const text = row[i]!;
        const value = text === '' ? empty : typed(text, types[name], name);
        if (format.nested === true && name.includes('.')) {
          const parts = name.split('.');
          let node = record;
          for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Record<string, unknown>;
          node[parts[parts.length - 1]!] = value;
        } else record[name] = value;
      });
      out.push(record);
    }
    return out;
  };
  return {
    push: (chunk) => {
      const list: string[][] = [];
      rows.push(chunk, list);
      return toRecords(list);
    },
    end: () => {
      const list: string[][] = [];
      rows.end(list);
      return toRecords(list);
    },
  };
}
