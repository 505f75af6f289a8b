import { describe, expect, it } from 'vitest';
import { PROVIDERS } from '../../api/types';
import { generateSecret, triggerText, WEBHOOK_INSTRUCTIONS, webhookUrl } from './webhookInstructions';

describe('webhook set-up', () => {
  it('points every provider at the URL and the secret', () => {
    for (const provider of PROVIDERS) {
      const values = WEBHOOK_INSTRUCTIONS[provider].fields.map((f) => f.value).join(' ');
      expect(values, provider).toContain('url');
      expect(values, provider).toMatch(/secret/);
    }
  });

  it('builds the webhook URL on the given origin', () => {
    expect(webhookUrl('5b8c1c3e-0000-4000-8000-000000000000', 'https://orca.example.com')).toBe(
      'https://orca.example.com/api/v1/webhooks/repositories/5b8c1c3e-0000-4000-8000-000000000000',
    );
  });

  it('generates different 64-hex-digit secrets', () => {
    const a = generateSecret();
    const b = generateSecret();
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });

  it('names triggers as a person reads them', () => {
    expect(triggerText('webhook', 'webhook:gitea')).toBe('Webhook (Gitea / Forgejo)');
    expect(triggerText('webhook', 'webhook:unknown')).toBe('Webhook (unknown)');
    expect(triggerText('polling', 'poller')).toBe('Polling');
    expect(triggerText('github_actions', null)).toBe('GitHub Actions');
    expect(triggerText('configuration', 'u1')).toBe('Configuration change');
    expect(triggerText('manual', 'u1')).toBe('Sync now (a person)');
  });

  it('names an image update, whichever registry or agent asked for it', () => {
    expect(triggerText('image_update', 'webhook:image:dockerhub')).toBe('Image update');
    expect(triggerText('image_update', 'image-poll:a1')).toBe('Image update');
    expect(triggerText('image_update', null)).toBe('Image update');
  });

  it('shows a trigger it does not know as it is', () => {
    expect(triggerText('something_new', null)).toBe('something_new');
    expect(triggerText('toString', null)).toBe('toString');
  });
});
