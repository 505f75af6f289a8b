// Who or what started a deployment, as the history shows it. Actors are a user's id or a
// component's name: `webhook:image:<registry>` for a registry's image webhook (github, dockerhub,
// harbor or plain), `image-poll:<agent id>` for an agent's image check, `poller`,
// `webhook:github`, …; anything not known here is shown as it is.

const IMAGE_WEBHOOK = 'webhook:image';
const REGISTRIES: Record<string, string> = {
  github: 'GitHub Packages',
  dockerhub: 'Docker Hub',
  harbor: 'Harbor',
};
const IMAGE_POLL = 'image-poll:';

export function actorText(
  actor: string,
  { me, agentName }: { me?: { id: string; name: string }; agentName?: (id: string) => string | undefined } = {},
): string {
  if (me && actor === me.id) return `${me.name} (you)`;
  if (actor === IMAGE_WEBHOOK) return 'image webhook';
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
