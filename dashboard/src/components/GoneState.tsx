import { Button, Stack } from '@mantine/core';
import { Link } from 'react-router';
import { PageHeader } from './PageHeader';

/** A details page whose entity does not exist (any more), with the way back to its list. */
export function GoneState({ what, back, backLabel }: { what: string; back: string; backLabel: string }) {
  return (
    <Stack align="flex-start">
      <PageHeader title={`${what} not found`} description="It may have been deleted." />
      <Button component={Link} to={back}>
        {backLabel}
      </Button>
    </Stack>
  );
}
