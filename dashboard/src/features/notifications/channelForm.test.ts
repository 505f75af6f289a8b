import { describe, expect, it } from 'vitest';
import type { NotificationChannel } from '../../api/types';
import { initialValues, scopeText, toBody } from './channelForm';

const channel: NotificationChannel = {
  id: 'c1',
  name: 'ops',
  type: 'email',
  url: null,
  hasSecret: false,
  email: { host: 'smtp.example.com', port: 587, security: 'starttls', username: 'orca', hasPassword: true, from: 'orca@example.com', to: ['ops@example.com'] },
  events: ['deployment_failed'],
  applicationIds: [],
  repositoryIds: ['r1'],
  enabled: true,
  lastDelivery: null,
  createdAt: '2026-12-01T10:00:00Z',
  updatedAt: '2026-12-01T10:00:00Z',
};

describe('toBody', () => {
  it('sends the webhook URL and a secret only when entered, and keeps them when editing leaves them empty', () => {
    const values = { ...initialValues(), name: ' hooks ', url: ' https://example.com/hook ', secret: 's' };
    expect(toBody(values, false)).toMatchObject({ name: 'hooks', type: 'webhook', url: 'https://example.com/hook', secret: 's' });
    const edited = toBody({ ...values, url: '', secret: '' }, true);
    expect(edited).not.toHaveProperty('url');
    expect(edited).not.toHaveProperty('secret');
    expect(edited).not.toHaveProperty('email');
  });

  it('sends SMTP settings for email, keeping the stored password when the field is left empty', () => {
    const values = initialValues(channel);
    const body = toBody(values, true);
    expect(body.email).toEqual({ host: 'smtp.example.com', port: 587, security: 'starttls', username: 'orca', from: 'orca@example.com', to: ['ops@example.com'] });
    expect(body).not.toHaveProperty('url');
    expect(toBody({ ...values, password: 'new' }, true).email?.password).toBe('new');
  });

  it('removes what is stored only when asked: the secret by its box, the password with the user name', () => {
    const webhook = { ...initialValues(), url: '', secret: '', removeSecret: true };
    expect(toBody(webhook, true).secret).toBe('');
    // A new secret typed wins over the box.
    expect(toBody({ ...webhook, secret: 'fresh' }, true).secret).toBe('fresh');
    expect(toBody({ ...webhook, removeSecret: false }, true)).not.toHaveProperty('secret');

    const email = initialValues(channel);
    expect(toBody({ ...email, username: ' ' }, true).email).toMatchObject({ password: '' });
    expect(toBody({ ...email, username: ' ' }, true).email).not.toHaveProperty('username');
  });
});

describe('scopeText', () => {
  it('says all when nothing is named, else the names', () => {
    expect(scopeText({ ...channel, repositoryIds: [] }, (id) => id, (id) => id)).toBe('All applications and repositories');
    expect(scopeText(channel, (id) => id, (id) => `repo ${id}`)).toBe('repo r1');
  });
});
