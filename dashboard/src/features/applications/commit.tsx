import { Group, Text } from '@mantine/core';

export const shortSha = (commit: string | null | undefined) => (commit ? commit.slice(0, 7) : '');

/** A commit as "abc1234 message", the message cut to one line. */
export function CommitLine({ commit, message, maw = 280 }: { commit: string | null; message: string | null; maw?: number }) {
  if (!commit) {
    return (
      <Text span c="dimmed" size="sm">
        none yet
      </Text>
    );
  }
  const firstLine = message?.split('\n', 1)[0] ?? '';
  return (
    <Group gap={6} wrap="nowrap" maw={maw}>
      <Text span className="mono" size="sm" fw={600} title={commit}>
        {shortSha(commit)}
      </Text>
      {firstLine && (
        <Text span size="sm" truncate="end" title={firstLine}>
          {firstLine}
        </Text>
      )}
    </Group>
  );
}
