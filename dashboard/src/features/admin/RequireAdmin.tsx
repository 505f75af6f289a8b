import { Alert } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { Outlet } from 'react-router';
import { useProfile } from '../auth/hooks';

/** The administration pages, for admins; anyone else is told why they cannot see them. */
export function RequireAdmin() {
  const profile = useProfile();
  if (profile.data?.role !== 'admin') {
    return (
      <Alert color="yellow" icon={<IconLock />} title="Administrators only" role="alert" maw={560}>
        Users, the audit log and system information are for administrators. Ask one if you need a change here.
      </Alert>
    );
  }
  return <Outlet />;
}
