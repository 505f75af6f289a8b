import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Group,
  Menu,
  NavLink,
  Text,
  Tooltip,
  UnstyledButton,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconApi,
  IconApps,
  IconBell,
  IconChevronDown,
  IconGitBranch,
  IconInfoCircle,
  IconKey,
  IconListDetails,
  IconLogout,
  IconMoon,
  IconServer,
  IconSun,
  IconUser,
  IconUsers,
} from '@tabler/icons-react';
import { useEffect } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { onUnauthorized } from '../api/client';
import { useLogout, useProfile } from '../features/auth/hooks';
import { LiveEvents, useStreamStatus } from '../live/LiveEvents';
import { queryClient } from './queryClient';
import { OrcaLogo } from './OrcaLogo';

const NAV = [
  { to: '/applications', label: 'Applications', icon: IconApps },
  { to: '/repositories', label: 'Repositories', icon: IconGitBranch },
  { to: '/agents', label: 'Agents', icon: IconServer },
  { to: '/notifications', label: 'Notifications', icon: IconBell },
  { to: '/api-reference', label: 'API reference', icon: IconApi },
];

/** Shown to admins only; the pages also say so to anyone else who opens them. */
const ADMIN_NAV = [
  { to: '/admin/users', label: 'Users', icon: IconUsers },
  { to: '/admin/sign-in', label: 'Sign-in providers', icon: IconKey },
  { to: '/admin/audit-log', label: 'Audit log', icon: IconListDetails },
  { to: '/admin/system', label: 'System', icon: IconInfoCircle },
];

/** The signed-in frame: header, navigation, the live stream, and the page. */
export function Layout() {
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const navigate = useNavigate();
  const admin = useProfile().data?.role === 'admin';

  // Any 401 means the session is over: back to login, then to where the user was.
  useEffect(
    () =>
      onUnauthorized(() => {
        queryClient.clear();
        const next = `${window.location.pathname}${window.location.search}`;
        navigate(`/login?next=${encodeURIComponent(next)}&expired=1`, { replace: true });
      }),
    [navigate],
  );
  useEffect(close, [location.pathname, close]);

  return (
    <LiveEvents>
      <AppShell
        header={{ height: 56 }}
        navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
        padding="md"
      >
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
              <UnstyledButton component={Link} to="/applications" aria-label="Orca home">
                <Group gap={8} wrap="nowrap">
                  <OrcaLogo size={28} />
                  <Text fw={700} size="lg">
                    Orca
                  </Text>
                </Group>
              </UnstyledButton>
            </Group>
            <Group gap="sm" wrap="nowrap">
              <LiveIndicator />
              <ThemeToggle />
              <UserMenu />
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" aria-label="Main">
          {NAV.map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              leftSection={<item.icon size={18} stroke={1.6} />}
              active={location.pathname.startsWith(item.to)}
            />
          ))}
          {admin && (
            <>
              <Text size="xs" fw={600} c="dimmed" tt="uppercase" px="sm" pt="md" pb={4} id="admin-nav">
                Administration
              </Text>
              <div role="group" aria-labelledby="admin-nav">
                {ADMIN_NAV.map((item) => (
                  <NavLink
                    key={item.to}
                    component={Link}
                    to={item.to}
                    label={item.label}
                    leftSection={<item.icon size={18} stroke={1.6} />}
                    active={location.pathname.startsWith(item.to)}
                  />
                ))}
              </div>
            </>
          )}
        </AppShell.Navbar>
        <AppShell.Main>
          <Outlet />
        </AppShell.Main>
      </AppShell>
    </LiveEvents>
  );
}

function LiveIndicator() {
  const status = useStreamStatus();
  const live = status === 'live';
  return (
    <Tooltip label={live ? 'Changes appear as they happen' : 'The live connection is down; reconnecting'}>
      <Badge
        role="status"
        aria-live="polite"
        color={live ? 'teal' : 'orange'}
        variant={live ? 'dot' : 'filled'}
        data-stream={status}
      >
        {live ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
      </Badge>
    </Tooltip>
  );
}

function ThemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const scheme = useComputedColorScheme('light');
  const next = scheme === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip label={`Switch to ${next} theme`}>
      <ActionIcon variant="default" size="lg" aria-label={`Switch to ${next} theme`} onClick={() => setColorScheme(next)}>
        {scheme === 'dark' ? <IconSun size={18} /> : <IconMoon size={18} />}
      </ActionIcon>
    </Tooltip>
  );
}

function UserMenu() {
  const profile = useProfile();
  const logout = useLogout();
  const navigate = useNavigate();
  return (
    <Menu position="bottom-end" width={200}>
      <Menu.Target>
        <UnstyledButton aria-label="Account menu">
          <Group gap={4} wrap="nowrap">
            <IconUser size={18} />
            <Text size="sm" visibleFrom="sm" maw={160} truncate>
              {profile.data?.name ?? ''}
            </Text>
            <IconChevronDown size={14} />
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{profile.data?.email}</Menu.Label>
        <Menu.Item component={Link} to="/profile" leftSection={<IconUser size={16} />}>
          Profile and API tokens
        </Menu.Item>
        <Menu.Item
          leftSection={<IconLogout size={16} />}
          onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })}
        >
          Log out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
