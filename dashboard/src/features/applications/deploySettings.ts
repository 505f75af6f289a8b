// The rules of the deploy settings form, as the API applies them, and the PUT body it sends:
// checked here first so a person sees what is wrong beside the field, before anything is sent.
import { POLICY_RULES, type Application, type ApplicationBody } from '../../api/types';

export const MIN_IMAGE_POLL_INTERVAL = 30;
export const MAX_IMAGE_POLL_INTERVAL = 86_400;
export const MIN_IMAGE_WEBHOOK_SECRET = 16;

/** What the form holds; a NumberInput holds '' while it is empty. */
export interface SettingsValues {
  selfHeal: boolean;
  readinessTimeoutSeconds: number | string;
  allowedPolicyRules: string[];
  imagePolling: boolean;
  imagePollIntervalSeconds: number | string;
  removeSupersededImages: boolean;
  /** Write-only: empty keeps the secret the application has. */
  imageWebhookSecret: string;
  /** The person asked to remove the secret the application has. */
  removeImageWebhookSecret: boolean;
}

export function settingsValues(app: Application): SettingsValues {
  return {
    selfHeal: app.selfHeal,
    readinessTimeoutSeconds: app.readinessTimeoutSeconds ?? '',
    allowedPolicyRules: app.allowedPolicyRules,
    imagePolling: app.imagePolling,
    imagePollIntervalSeconds: app.imagePollIntervalSeconds,
    removeSupersededImages: app.removeSupersededImages,
    imageWebhookSecret: '',
    removeImageWebhookSecret: false,
  };
}

export function readinessTimeoutError(value: number | string): string | null {
  return value === '' || (Number.isInteger(Number(value)) && Number(value) >= 0)
    ? null
    : 'A whole number of seconds, or empty to wait until the deadline';
}

/** The interval matters only while polling is on: the field is disabled, and not sent, otherwise. */
export function imagePollIntervalError(value: number | string, polling: boolean): string | null {
  if (!polling) return null;
  const seconds = Number(value);
  return value !== '' && Number.isInteger(seconds) && seconds >= MIN_IMAGE_POLL_INTERVAL && seconds <= MAX_IMAGE_POLL_INTERVAL
    ? null
    : `A whole number of seconds from ${MIN_IMAGE_POLL_INTERVAL} to ${MAX_IMAGE_POLL_INTERVAL}`;
}

export function imageWebhookSecretError(value: string): string | null {
  return value === '' || value.length >= MIN_IMAGE_WEBHOOK_SECRET
    ? null
    : `At least ${MIN_IMAGE_WEBHOOK_SECRET} characters, or empty to keep the current secret`;
}

/**
 * The PUT body of the form's values. What the form leaves alone is absent, which the API takes for
 * "keep": the secret while its field is empty, the interval while polling is off, the policy rules
 * for anyone but an admin. Removing the secret is an explicit "".
 */
export function settingsBody(values: SettingsValues, { admin }: { admin: boolean }): ApplicationBody {
  const body: ApplicationBody = {
    selfHeal: values.selfHeal,
    readinessTimeoutSeconds: values.readinessTimeoutSeconds === '' ? 0 : Number(values.readinessTimeoutSeconds),
    imagePolling: values.imagePolling,
    removeSupersededImages: values.removeSupersededImages,
  };
  if (admin) {
    body.allowedPolicyRules = POLICY_RULES.filter((rule) => values.allowedPolicyRules.includes(rule));
  }
  if (values.imagePolling) {
    body.imagePollIntervalSeconds = Number(values.imagePollIntervalSeconds);
  }
  if (values.removeImageWebhookSecret) {
    body.imageWebhookSecret = '';
  } else if (values.imageWebhookSecret) {
    body.imageWebhookSecret = values.imageWebhookSecret;
  }
  return body;
}
