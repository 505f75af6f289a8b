// Why and by whom a deployment was started, as the history shows it. Actors are a user's id or a
// component's name: `webhook:image:<registry>` for a registry's image webhook (github, dockerhub,
// harbor or plain), `image-poll:<agent id>` for an agent's image check, `poller`,
// `webhook:github`, …; anything not known here is shown as it is.

import type { DeployReason } from '../../api/types';

/** Every reason as a person reads it (a Record, so a reason added to the API type needs a label here). */
const REASONS: Record<DeployReason, string> = {
  sync: 'Git sync',
  manual: 'Manual deploy',
  rollback: 'Rollback',
  image_update: 'Image update',
  unknown: 'Unknown',
};

/** A deployment's reason as a person reads it; a reason not known here is shown as it is. */
export function reasonText(reason: string): string {
  return Object.hasOwn(REASONS, reason) ? REASONS[reason as DeployReason] : reason;
}

const IMAGE_WEBHOOK = 'webhook:image';
const REGISTRIES: Record<string, string> = {
  github: 'GitHub Packages',
  dockerhub: 'Docker Hub',
  harbor: 'Harbor',
};
const IMAGE_POLL = 'image-poll:';
/** Orca itself, rolling back after a deployment failed (the application asked for it). */
const AUTO_ROLLBACK = 'auto-rollback';

export function actorText(
  actor: string,
  { me, agentName }: { me?: { id: string; name: string }; agentName?: (id: string) => string | undefined } = {},
): string {
  if (me && actor === me.id) return `${me.name} (you)`;
  if (actor === IMAGE_WEBHOOK) return 'image webhook';
  if (actor === AUTO_ROLLBACK) return 'automatic rollback after a failed deployment';
  if (actor.startsWith(`${IMAGE_WEBHOOK}:`)) {
    const registry = REGISTRIES[actor.slice(IMAGE_WEBHOOK.length + 1)];
    return registry ? `image webhook from ${registry}` : 'image webhook';
  }
  if (actor.startsWith(IMAGE_POLL)) {
    const agent = actor.slice(IMAGE_POLL.length);
    return `image check on ${agentName?.(agent) ?? agent}`;
  }
  return actor;
}
