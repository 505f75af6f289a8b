import { Alert, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle } from '@tabler/icons-react';
import { Navigate, useNavigate } from 'react-router';
import { fieldOf } from '../../api/client';
import { notifyError } from '../../components/notify';
import { AuthFrame } from './AuthFrame';
import { useLogin, useRegister, useSetup } from './hooks';
import { PASSWORD_RULE, passwordProblem } from './password';

const FIELDS = ['email', 'name', 'password'] as const;

/** First run: registers the first user, who becomes the administrator, and signs them in. */
export function SetupPage() {
  const setup = useSetup();
  const register = useRegister();
  const login = useLogin();
  const navigate = useNavigate();
  const form = useForm({
    initialValues: { name: '', email: '', password: '' },
    validate: {
      name: (v) => (v.trim() ? null : 'Enter your name'),
      email: (v) => (/^[^@\s]+@[^@\s]+$/.test(v.trim()) ? null : 'Enter a valid email address'),
      password: passwordProblem,
    },
  });

  // Once this page registered the administrator it signs them in itself; only a visitor who finds
  // set-up already done is sent to the login page.
  if (setup.data && !setup.data.setupRequired && !register.isSuccess) {
    return <Navigate to="/login" replace />;
  }

  const submit = form.onSubmit((values) => {
    const body = { name: values.name.trim(), email: values.email.trim(), password: values.password };
    register.mutate(body, {
      onSuccess: () =>
        login.mutate(
          { email: body.email, password: body.password },
          { onSuccess: () => navigate('/applications', { replace: true }) },
        ),
      onError: (error) => {
        const field = fieldOf(error, FIELDS);
        if (field) {
          form.setFieldError(field, error.message);
        } else {
          notifyError('Setup failed', error);
        }
      },
    });
  });

  return (
    <AuthFrame
      title="Welcome to Orca"
      subtitle="Create the administrator account. You will use it to sign in from now on."
    >
      <form onSubmit={submit} noValidate aria-label="Create the administrator">
        <Stack>
          {register.error && !fieldOf(register.error, FIELDS) && (
            <Alert color="red" icon={<IconAlertTriangle />} role="alert">
              {register.error.message}
            </Alert>
          )}
          <TextInput label="Name" autoComplete="name" required {...form.getInputProps('name')} />
          <TextInput label="Email" type="email" autoComplete="username" required {...form.getInputProps('email')} />
          <PasswordInput
            label="Password"
            description={PASSWORD_RULE}
            autoComplete="new-password"
            required
            {...form.getInputProps('password')}
          />
          <Button type="submit" loading={register.isPending || login.isPending} fullWidth>
            Create administrator
          </Button>
          <Text size="xs" c="dimmed">
            Only the first account is created here; later users are added by an administrator.
          </Text>
        </Stack>
      </form>
    </AuthFrame>
  );
}
