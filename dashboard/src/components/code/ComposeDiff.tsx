import { MergeView } from '@codemirror/merge';
import { EditorView } from '@codemirror/view';
import { Group, Paper, Text, useComputedColorScheme } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { readOnlyYaml } from './editorSetup';

const DEFAULT_LABELS: [string, string] = ['Previous', 'Current'];

/** The previous compose file beside the current one, changes highlighted; {@code labels} name the two sides. */
export function ComposeDiff({
  previous,
  current,
  labels = DEFAULT_LABELS,
}: {
  previous: string;
  current: string;
  labels?: [string, string];
}) {
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
        extensions: [...readOnlyYaml(dark), EditorView.contentAttributes.of({ 'aria-label': `${labels[0]} compose file` })],
      },
      b: {
        doc: current,
        extensions: [...readOnlyYaml(dark), EditorView.contentAttributes.of({ 'aria-label': `${labels[1]} compose file` })],
      },
      highlightChanges: true,
      gutter: true,
      collapseUnchanged: { margin: 3, minSize: 6 },
    });
    return () => view.destroy();
    // The labels' texts, not the array: a new array each render must not rebuild the editor.
  }, [previous, current, dark, labels[0], labels[1]]);
  return (
    <div>
      <Group grow mb={4} gap="xs">
        <Text size="xs" c="dimmed" fw={600}>
          {labels[0]}
        </Text>
        <Text size="xs" c="dimmed" fw={600}>
          {labels[1]}
        </Text>
      </Group>
      <Paper withBorder ref={host} radius="sm" style={{ overflow: 'auto' }} data-testid="compose-diff" />
    </div>
  );
}
