// A JSON editor (CodeMirror 6): completion and hover documentation from the definition's JSON
// Schema (core/schemas), and the validator's problems shown at their line and column.
import { useEffect, useRef, type ReactNode } from 'react';
import { basicSetup } from 'codemirror';
import { json } from '@codemirror/lang-json';
import { EditorState } from '@codemirror/state';
import { EditorView, hoverTooltip } from '@codemirror/view';
import { setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { jsonCompletion, jsonSchemaHover, stateExtensions } from 'codemirror-json-schema';
import { jsonLanguage } from '@codemirror/lang-json';
import type { JSONSchema7 } from 'json-schema';
import type { Problem } from '../types';

export interface JsonEditorProps {
  /** The text to show; a new value (another file) replaces the document. */
  value: string;
  schema: JSONSchema7;
  problems: Problem[];
  onChange(text: string): void;
  label: string;
  readOnly?: boolean;
}

/** A problem's offset in the document, from its 1-based line and column. */
function offsetOf(state: EditorState, line: number, column: number): number {
  const l = state.doc.line(Math.min(Math.max(1, line), state.doc.lines));
  return Math.min(l.from + Math.max(0, column - 1), l.to);
}

function diagnostics(state: EditorState, problems: Problem[]): Diagnostic[] {
  return problems.map((p) => {
    const from = offsetOf(state, p.line, p.column);
    const lineEnd = state.doc.lineAt(from).to;
    // Underline to the end of the word (or of the line), at least one character.
    const rest = state.doc.sliceString(from, lineEnd);
    const word = /^("([^"\\]|\\.)*"|[^\s,}\]]+)/.exec(rest)?.[0].length ?? 1;
    return { from, to: Math.min(lineEnd, from + Math.max(1, word)), severity: 'error', message: `${p.message}${p.hint === undefined ? '' : ` (${p.hint})`}`, source: 'switchboard validate' };
  });
}

export function JsonEditor({ value, schema, problems, onChange, label, readOnly = false }: JsonEditorProps): ReactNode {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const change = useRef(onChange);
  change.current = onChange;

  useEffect(() => {
    const state = EditorState.create({
      doc: value,
      extensions: [
        basicSetup,
        json(),
        jsonLanguage.data.of({ autocomplete: jsonCompletion() }),
        hoverTooltip(jsonSchemaHover()),
        stateExtensions(schema),
        EditorState.readOnly.of(readOnly),
        // Long lines wrap: the editor grows with the page instead of scrolling inside it, so it
        // is never a scroll region that the keyboard cannot reach.
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': label }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) change.current(u.state.doc.toString());
        }),
      ],
    });
    view.current = new EditorView({ state, parent: host.current! });
    return () => view.current?.destroy();
    // A new editor per schema and read-only state; the text is synced below.
  }, [schema, readOnly, label]);

  useEffect(() => {
    const v = view.current;
    if (v === null || v.state.doc.toString() === value) return;
    v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (v !== null) v.dispatch(setDiagnostics(v.state, diagnostics(v.state, problems)));
  }, [problems, value]);

  return <div className="editor" ref={host} />;
}
