import { describe, expect, it } from 'vitest';
import type { Application } from '../../api/types';
import { generateSecret } from '../repositories/webhookInstructions';
import {
  imagePollIntervalError,
  imageWebhookSecretError,
  readinessTimeoutError,
  savedMessage,
  settingsBody,
  settingsChanged,
  settingsValues,
  type SettingsValues,
} from './deploySettings';

const APP = {
  selfHeal: true,
  autoRollback: false,
  readinessTimeoutSeconds: null,
  allowedPolicyRules: ['host-mounts'],
  imagePolling: true,
  imagePollIntervalSeconds: 300,
  removeSupersededImages: false,
  hasImageWebhookSecret: true,
  imageWebhookUrl: 'https://orca.example.com/api/v1/webhooks/images/a1',
} as Application;

function values(overrides: Partial<SettingsValues> = {}): SettingsValues {
  return { ...settingsValues(APP), ...overrides };
}

describe('deploy settings form rules', () => {
  it('starts from the application, with an empty secret field', () => {
    expect(settingsValues(APP)).toEqual({
      selfHeal: true,
      autoRollback: false,
      readinessTimeoutSeconds: '',
      allowedPolicyRules: ['host-mounts'],
      imagePolling: true,
      imagePollIntervalSeconds: 300,
      removeSupersededImages: false,
      imageWebhookSecret: '',
      removeImageWebhookSecret: false,
    });
  });

  it('takes an empty or whole readiness timeout', () => {
    expect(readinessTimeoutError('')).toBeNull();
    expect(readinessTimeoutError(60)).toBeNull();
    expect(readinessTimeoutError(-1)).toMatch(/whole number/);
    expect(readinessTimeoutError(1.5)).toMatch(/whole number/);
  });

  it('takes an image check interval from 30 to 86400 seconds while polling is on, anything while off', () => {
    expect(imagePollIntervalError(30, true)).toBeNull();
    expect(imagePollIntervalError(86_400, true)).toBeNull();
    expect(imagePollIntervalError(29, true)).toBe('A whole number of seconds from 30 to 86400');
    expect(imagePollIntervalError(86_401, true)).toBe('A whole number of seconds from 30 to 86400');
    expect(imagePollIntervalError('', true)).toBe('A whole number of seconds from 30 to 86400');
    expect(imagePollIntervalError(45.5, true)).toBe('A whole number of seconds from 30 to 86400');
    expect(imagePollIntervalError('', false)).toBeNull();
    expect(imagePollIntervalError(5, false)).toBeNull();
  });

  it('takes an empty secret (keep) or one of 16 to 256 characters', () => {
    expect(imageWebhookSecretError('')).toBeNull();
    expect(imageWebhookSecretError('a'.repeat(15))).toBe(
      '16 to 256 characters (this one has 15), or empty to keep the current secret',
    );
    expect(imageWebhookSecretError('a'.repeat(16))).toBeNull();
    expect(imageWebhookSecretError('a'.repeat(256))).toBeNull();
    expect(imageWebhookSecretError('a'.repeat(257))).toBe(
      '16 to 256 characters (this one has 257), or empty to keep the current secret',
    );
    expect(imageWebhookSecretError('too-short', { hasSecret: false })).toBe(
      '16 to 256 characters (this one has 9), or empty for none',
    );
  });

  it('takes letters, digits and - . _ ~, and a generated secret', () => {
    const all = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~';
    expect(imageWebhookSecretError(all)).toBeNull();
    expect(imageWebhookSecretError('~'.repeat(16))).toBeNull();
    expect(imageWebhookSecretError(generateSecret())).toBeNull();
  });

  it('refuses what a URL would change: + % & # and other punctuation', () => {
    const rule = 'Only letters, digits and - . _ ~ (the secret may go in a URL)';
    for (const c of ['+', '%', '&', '#', '!', '/', '=', '?', '"']) {
      expect(imageWebhookSecretError(`0123456789abcdef${c}`)).toBe(`${rule}: "${c}" is not allowed`);
    }
  });

  it('refuses a space, a control character and anything outside ASCII, naming it', () => {
    const rule = 'Only letters, digits and - . _ ~ (the secret may go in a URL)';
    expect(imageWebhookSecretError('0123456789 abcdef')).toBe(`${rule}: a space is not allowed`);
    expect(imageWebhookSecretError(' 0123456789abcdef')).toBe(`${rule}: a space is not allowed`);
    expect(imageWebhookSecretError('0123456789abcdef\t')).toBe(`${rule}: a tab is not allowed`);
    expect(imageWebhookSecretError('0123456789\nabcdef')).toBe(`${rule}: a line break is not allowed`);
    expect(imageWebhookSecretError('0123456789abcdef\x7f')).toBe(`${rule}: a control character is not allowed`);
    expect(imageWebhookSecretError('0123456789abcdef\x00')).toBe(`${rule}: a control character is not allowed`);
    expect(imageWebhookSecretError('0123456789abcdéf')).toBe(`${rule}: "é" is not allowed`);
    expect(imageWebhookSecretError('0123456789abcdef\u00a0')).toBe(`${rule}: a space (U+00A0) is not allowed`);
    expect(imageWebhookSecretError('0123456789abcdef😀')).toBe(`${rule}: "😀" is not allowed`);
    // The characters are checked before the length: a short secret with a space names the space.
    expect(imageWebhookSecretError('a b')).toBe(`${rule}: a space is not allowed`);
  });
});

describe('deploy settings PUT body', () => {
  it('keeps the secret while its field is empty', () => {
    const body = settingsBody(values(), { admin: false });
    expect(body).toEqual({
      selfHeal: true,
      autoRollback: false,
      readinessTimeoutSeconds: 0,
      imagePolling: true,
      imagePollIntervalSeconds: 300,
      removeSupersededImages: false,
    });
    expect(body).not.toHaveProperty('imageWebhookSecret');
  });

  it('sends a typed secret, and "" when the person removes it', () => {
    expect(settingsBody(values({ imageWebhookSecret: 's3cret-s3cret-s3cret' }), { admin: false }).imageWebhookSecret)
      .toBe('s3cret-s3cret-s3cret');
    expect(settingsBody(values({ removeImageWebhookSecret: true }), { admin: false }).imageWebhookSecret).toBe('');
    // Removing wins over a secret typed before the field was disabled.
    expect(settingsBody(values({ imageWebhookSecret: 'typed-before-remove', removeImageWebhookSecret: true }), { admin: false })
      .imageWebhookSecret).toBe('');
  });

  it('leaves the interval alone while polling is off', () => {
    const body = settingsBody(values({ imagePolling: false, imagePollIntervalSeconds: '' }), { admin: false });
    expect(body.imagePolling).toBe(false);
    expect(body).not.toHaveProperty('imagePollIntervalSeconds');
    expect(settingsBody(values({ imagePollIntervalSeconds: 30 }), { admin: false }).imagePollIntervalSeconds).toBe(30);
  });

  it('sends the policy rules in their canonical order, for an admin only', () => {
    const chosen = values({ allowedPolicyRules: ['host-mounts', 'privileged'] });
    expect(settingsBody(chosen, { admin: true }).allowedPolicyRules).toEqual(['privileged', 'host-mounts']);
    expect(settingsBody(chosen, { admin: false })).not.toHaveProperty('allowedPolicyRules');
  });

  it('sends a readiness timeout, 0 to clear it', () => {
    expect(settingsBody(values({ readinessTimeoutSeconds: 90 }), { admin: false }).readinessTimeoutSeconds).toBe(90);
    expect(settingsBody(values({ readinessTimeoutSeconds: '' }), { admin: false }).readinessTimeoutSeconds).toBe(0);
  });
});

describe('deploy settings saved message', () => {
  const secret = '0123456789abcdef0123';
  const saved = (changes: Partial<SettingsValues>, { admin = false, hadSecret = true } = {}) =>
    savedMessage(values(), values(changes), { admin, hadSecret });

  it('counts a new or removed secret alone as no change of settings, and still sends it', () => {
    expect(settingsChanged(values(), values({ imageWebhookSecret: secret }), { admin: false })).toBe(false);
    expect(settingsChanged(values(), values({ removeImageWebhookSecret: true }), { admin: true })).toBe(false);
    expect(settingsBody(values({ imageWebhookSecret: secret }), { admin: false }).imageWebhookSecret).toBe(secret);
  });

  it('says the secret was saved when only the secret changed, without announcing a deployment', () => {
    expect(saved({ imageWebhookSecret: secret }, { hadSecret: false })).toBe(
      'Saved the image webhook secret: registries can notify Orca with it now. Nothing is redeployed.',
    );
    expect(saved({ imageWebhookSecret: secret })).toBe(
      'Saved the new image webhook secret: registries must send it from now on. Nothing is redeployed.',
    );
    expect(saved({ removeImageWebhookSecret: true })).toBe(
      'Removed the image webhook secret: the image webhook refuses every push now. Nothing is redeployed.',
    );
  });

  it('announces a deployment when a setting the agent gets changed, naming the secret too', () => {
    expect(saved({ selfHeal: false })).toBe('Saved the deploy settings. A change reaches the agent with a new deployment.');
    expect(saved({ imagePolling: false, imageWebhookSecret: secret })).toBe(
      'Saved the deploy settings and the image webhook secret. The settings reach the agent with a new deployment.',
    );
    expect(saved({ readinessTimeoutSeconds: 90, removeImageWebhookSecret: true })).toBe(
      'Saved the deploy settings and removed the image webhook secret. The settings reach the agent with a new deployment.',
    );
    expect(saved({ imagePollIntervalSeconds: 60 })).toMatch(/new deployment/);
    expect(saved({ removeSupersededImages: true })).toMatch(/new deployment/);
  });

  it('says an automatic rollback turned on or off deploys nothing: it is Orca\'s, not the agent\'s', () => {
    expect(saved({ autoRollback: true })).toBe(
      'Saved: a deployment that fails is now rolled back to the last one that succeeded. Nothing is redeployed.',
    );
    expect(savedMessage(values({ autoRollback: true }), values({ autoRollback: false }), { admin: false, hadSecret: true }))
      .toMatch(/no longer rolled back/);
    expect(saved({ autoRollback: true, selfHeal: false })).toMatch(/new deployment/);
  });

  it('says nothing changed when nothing did', () => {
    expect(saved({})).toBe('Saved the deploy settings: nothing changed, so nothing is redeployed.');
    // The interval is not sent while checks stay off, and the rules only by an admin.
    const off = { ...APP, imagePolling: false } as Application;
    expect(savedMessage(settingsValues(off), { ...settingsValues(off), imagePollIntervalSeconds: 45 }, { admin: false, hadSecret: true }))
      .toMatch(/nothing changed/);
    expect(saved({ allowedPolicyRules: [] }, { admin: false })).toMatch(/nothing changed/);
    expect(saved({ allowedPolicyRules: [] }, { admin: true })).toMatch(/new deployment/);
  });
});
