import { Alert, Button, Divider, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle, IconClock, IconKey } from '@tabler/icons-react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { oidcStartUrl } from '../../api/endpoints';
import { messageOf } from '../../components/notify';
import { AuthFrame } from './AuthFrame';
import { useLogin, useOidcButtons, useSetup } from './hooks';
import { safeNext } from './RequireAuth';

export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const setup = useSetup();
  const login = useLogin();
  const buttons = useOidcButtons();
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (v.trim() ? null : 'Enter your email'),
      password: (v) => (v ? null : 'Enter your password'),
    },
  });

  if (setup.data?.setupRequired) {
    return <Navigate to="/setup" replace />;
  }

  // Why a sign-in with a provider came back without signing in (the gateway's redirect says it).
  const providerError = params.get('error');
  const localLogin = setup.data?.localLogin !== false;
  const providers = buttons.data ?? [];
  const submit = form.onSubmit((values) =>
    login.mutate(
      { email: values.email.trim(), password: values.password },
      { onSuccess: () => navigate(safeNext(params.get('next')), { replace: true }) },
    ),
  );

  return (
    <AuthFrame title="Sign in" subtitle="GitOps for Docker Compose">
      <Stack>
        {params.get('expired') && !login.error && (
          <Alert color="blue" icon={<IconClock />} role="status">
            Your session has ended. Sign in again to continue.
          </Alert>
        )}
        {(login.error || providerError) && (
          <Alert color="red" icon={<IconAlertTriangle />} role="alert" title="Sign-in failed">
            {login.error ? messageOf(login.error) : providerError}
          </Alert>
        )}
        {providers.length > 0 && (
          <Stack gap="xs" role="group" aria-label="Sign in with your organisation">
            {providers.map((provider) => (
              <Button
                key={provider.id}
                component="a"
                href={oidcStartUrl(provider.id, params.get('next'))}
                variant="default"
                leftSection={<IconKey size={16} />}
                fullWidth
              >
                Sign in with {provider.name}
              </Button>
            ))}
          </Stack>
        )}
        {providers.length > 0 && localLogin && <Divider label="or with your email" labelPosition="center" />}
        {!localLogin && providers.length === 0 && buttons.isSuccess && (
          <Alert color="yellow" icon={<IconAlertTriangle />} role="alert">
            Sign-in with email and password is switched off, and no sign-in provider is set up.
          </Alert>
        )}
        {localLogin && (
          <form onSubmit={submit} noValidate aria-label="Sign in">
            <Stack>
              <TextInput label="Email" type="email" autoComplete="username" required {...form.getInputProps('email')} />
              <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
              <Button type="submit" loading={login.isPending} fullWidth>
                Sign in
              </Button>
            </Stack>
          </form>
        )}
      </Stack>
    </AuthFrame>
  );
}
