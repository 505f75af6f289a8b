// The rules of the deploy settings form, as the API applies them, and the PUT body it sends:
// checked here first so a person sees what is wrong beside the field, before anything is sent.
import { POLICY_RULES, type Application, type ApplicationBody } from '../../api/types';

export const MIN_IMAGE_POLL_INTERVAL = 30;
export const MAX_IMAGE_POLL_INTERVAL = 86_400;
export const MIN_IMAGE_WEBHOOK_SECRET = 16;
export const MAX_IMAGE_WEBHOOK_SECRET = 256;
/** What the gateway takes in a secret: URL's unreserved characters (it may travel as ?token=). */
const SECRET_CHARACTER = /^[A-Za-z0-9._~-]$/;

/** What the form holds; a NumberInput holds '' while it is empty. */
export interface SettingsValues {
  selfHeal: boolean;
  autoRollback: boolean;
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
    autoRollback: app.autoRollback,
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

/** A character the secret may not hold, named so a person (and a screen reader) can find it. */
function characterName(c: string): string {
  if (c === ' ') return 'a space';
  if (c === '\t') return 'a tab';
  if (c === '\n' || c === '\r') return 'a line break';
  const code = c.codePointAt(0) ?? 0;
  if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return 'a control character';
  if (/^\s$/u.test(c)) return `a space (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  return `"${c}"`;
}

/**
 * The gateway's rule for a secret: empty (keep it, or none), else 16 to 256 characters, each an
 * ASCII letter, a digit or one of - . _ ~ (a Docker Hub webhook carries it in its URL).
 */
export function imageWebhookSecretError(value: string, { hasSecret = true }: { hasSecret?: boolean } = {}): string | null {
  if (value === '') return null;
  // By code point, so a character outside the BMP is named whole.
  const bad = Array.from(value).find((c) => !SECRET_CHARACTER.test(c));
  if (bad !== undefined) {
    return `Only letters, digits and - . _ ~ (the secret may go in a URL): ${characterName(bad)} is not allowed`;
  }
  if (value.length < MIN_IMAGE_WEBHOOK_SECRET || value.length > MAX_IMAGE_WEBHOOK_SECRET) {
    return `${MIN_IMAGE_WEBHOOK_SECRET} to ${MAX_IMAGE_WEBHOOK_SECRET} characters (this one has ${value.length}), or empty ${
      hasSecret ? 'to keep the current secret' : 'for none'
    }`;
  }
  return null;
}

/**
 * The PUT body of the form's values. What the form leaves alone is absent, which the API takes for
 * "keep": the secret while its field is empty, the interval while polling is off, the policy rules
 * for anyone but an admin. Removing the secret is an explicit "".
 */
export function settingsBody(values: SettingsValues, { admin }: { admin: boolean }): ApplicationBody {
  const body: ApplicationBody = {
    selfHeal: values.selfHeal,
    autoRollback: values.autoRollback,
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

/**
 * Whether saving `values` changes a setting the agent gets (and so deploys): the secret and the
 * automatic rollback are Orca's own.
 */
export function settingsChanged(initial: SettingsValues, values: SettingsValues, { admin }: { admin: boolean }): boolean {
  const withoutSecret = (v: SettingsValues) => {
    const { imageWebhookSecret: _secret, autoRollback: _rollback, ...body } = settingsBody(v, { admin });
    return JSON.stringify(body);
  };
  return withoutSecret(initial) !== withoutSecret(values);
}

/**
 * What the success message says once the form is saved. The image webhook secret stays in the
 * gateway (the agent never gets it), so a new or removed secret alone deploys nothing: the
 * message then says what happened to the secret instead of announcing a deployment.
 */
export function savedMessage(
  initial: SettingsValues,
  values: SettingsValues,
  { admin, hadSecret }: { admin: boolean; hadSecret: boolean },
): string {
  const changed = settingsChanged(initial, values, { admin });
  const secret = values.removeImageWebhookSecret ? 'removed' : values.imageWebhookSecret ? 'set' : 'kept';
  if (changed) {
    switch (secret) {
      case 'set':
        return 'Saved the deploy settings and the image webhook secret. The settings reach the agent with a new deployment.';
      case 'removed':
        return 'Saved the deploy settings and removed the image webhook secret. The settings reach the agent with a new deployment.';
      default:
        return 'Saved the deploy settings. A change reaches the agent with a new deployment.';
    }
  }
  switch (secret) {
    case 'set':
      return hadSecret
        ? 'Saved the new image webhook secret: registries must send it from now on. Nothing is redeployed.'
        : 'Saved the image webhook secret: registries can notify Orca with it now. Nothing is redeployed.';
    case 'removed':
      return 'Removed the image webhook secret: the image webhook refuses every push now. Nothing is redeployed.';
    default:
      if (initial.autoRollback !== values.autoRollback) {
        return values.autoRollback
          ? 'Saved: a deployment that fails is now rolled back to the last one that succeeded. Nothing is redeployed.'
          : 'Saved: a deployment that fails is no longer rolled back by itself. Nothing is redeployed.';
      }
      return 'Saved the deploy settings: nothing changed, so nothing is redeployed.';
  }
}
