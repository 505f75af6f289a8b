import { Alert, Button, Center, Loader, Stack, Text } from '@mantine/core';
import { IconPlugConnectedX } from '@tabler/icons-react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { ApiError } from '../../api/client';
import { messageOf } from '../../components/notify';
import { useProfile, useSetup } from './hooks';

/** Renders the signed-in pages, or sends the visitor to first-run setup or to login (and back afterwards). */
export function RequireAuth() {
  const location = useLocation();
  const setup = useSetup();
  const profile = useProfile();
  if (setup.data?.setupRequired) {
    return <Navigate to="/setup" replace />;
  }
  if (profile.data?.mustChangePassword) {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/change-password?next=${encodeURIComponent(next)}`} replace />;
  }
  if (profile.data) {
    return <Outlet />;
  }
  if (profile.error instanceof ApiError && profile.error.status === 401) {
    const next = `${location.pathname}${location.search}`;
    const target = next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`;
    return <Navigate to={target} replace />;
  }
  const failure = setup.error ?? profile.error;
  if (failure) {
    return (
      <Center h="100vh" p="md">
        <Alert color="red" icon={<IconPlugConnectedX />} title="Orca cannot be reached" maw={520} role="alert">
          <Stack gap="sm" align="flex-start">
            <Text size="sm">{messageOf(failure)}</Text>
            <Button variant="light" color="red" onClick={() => void Promise.all([setup.refetch(), profile.refetch()])}>
              Try again
            </Button>
          </Stack>
        </Alert>
      </Center>
    );
  }
  return (
    <Center h="100vh">
      <Loader aria-label="Loading Orca" />
    </Center>
  );
}

/** Where to go after signing in: the `next` path when it is a path of this site, else the applications. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login')
    && !next.startsWith('/change-password') ? next : '/applications';
}
