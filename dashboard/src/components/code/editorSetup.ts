import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState, type Extension } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { cspNonce } from '../../app/cspNonce';

const darkHighlight = HighlightStyle.define([
  { tag: tags.keyword, color: '#c792ea' },
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: '#82aaff' },
  { tag: [tags.string, tags.special(tags.string)], color: '#c3e88d' },
  { tag: [tags.number, tags.bool, tags.null], color: '#f78c6c' },
  { tag: tags.comment, color: '#7f8c98', fontStyle: 'italic' },
  { tag: tags.meta, color: '#89ddff' },
]);

/** A read-only YAML view in the page's colour scheme; its generated styles carry the page's nonce. */
export function readOnlyYaml(dark: boolean): Extension[] {
  return [
    lineNumbers(),
    yaml(),
    EditorState.readOnly.of(true),
    EditorView.editable.of(false),
    EditorView.lineWrapping,
    syntaxHighlighting(dark ? darkHighlight : defaultHighlightStyle),
    EditorView.theme(
      {
        '&': { fontSize: '13px', backgroundColor: 'var(--mantine-color-body)' },
        '.cm-gutters': {
          backgroundColor: 'var(--mantine-color-default-hover)',
          color: 'var(--mantine-color-dimmed)',
          borderRight: '1px solid var(--mantine-color-default-border)',
        },
        '.cm-content': { fontFamily: 'var(--mantine-font-family-monospace)' },
      },
      { dark },
    ),
    ...(cspNonce ? [EditorView.cspNonce.of(cspNonce)] : []),
  ];
}
