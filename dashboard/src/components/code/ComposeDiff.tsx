import { MergeView } from '@codemirror/merge';
import { EditorView } from '@codemirror/view';
import { Group, Paper, Text, useComputedColorScheme } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { readOnlyYaml } from './editorSetup';

/** The previous compose file beside the current one, changes highlighted. */
export function ComposeDiff({ previous, current }: { previous: string; current: string }) {
  const host = useRef<HTMLDivElement>(null);
  const dark = useComputedColorScheme('light') === 'dark';
  useEffect(() => {
    if (!host.current) {
      return undefined;
    }
    const view = new MergeView({
      parent: host.current,
      a: {
        doc: previous,
        extensions: [...readOnlyYaml(dark), EditorView.contentAttributes.of({ 'aria-label': 'Previous compose file' })],
      },
      b: {
        doc: current,
        extensions: [...readOnlyYaml(dark), EditorView.contentAttributes.of({ 'aria-label': 'Current compose file' })],
      },
      highlightChanges: true,
      gutter: true,
      collapseUnchanged: { margin: 3, minSize: 6 },
    });
    return () => view.destroy();
  }, [previous, current, dark]);
  return (
    <div>
      <Group grow mb={4} gap="xs">
        <Text size="xs" c="dimmed" fw={600}>
          Previous
        </Text>
        <Text size="xs" c="dimmed" fw={600}>
          Current
        </Text>
      </Group>
      <Paper withBorder ref={host} radius="sm" style={{ overflow: 'auto' }} data-testid="compose-diff" />
    </div>
  );
}
