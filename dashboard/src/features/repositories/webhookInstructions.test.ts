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
  });
});
