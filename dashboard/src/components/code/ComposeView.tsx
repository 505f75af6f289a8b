import { Paper } from '@mantine/core';
import { useComputedColorScheme } from '@mantine/core';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import { readOnlyYaml } from './editorSetup';

/** A compose file, read-only, highlighted as YAML. */
export function ComposeView({ content, label }: { content: string; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const dark = useComputedColorScheme('light') === 'dark';
  useEffect(() => {
    if (!host.current) {
      return undefined;
    }
    const view = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: content,
        extensions: [...readOnlyYaml(dark), EditorView.contentAttributes.of({ 'aria-label': label })],
      }),
    });
    return () => view.destroy();
  }, [content, dark, label]);
  return <Paper withBorder ref={host} radius="sm" style={{ overflow: 'hidden' }} />;
}
