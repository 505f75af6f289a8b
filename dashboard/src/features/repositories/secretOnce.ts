/**
 * A webhook secret the user just saved, handed from the form to the details page so it can be
 * shown once. Kept in memory only: never in the URL, history state or storage, so a reload or
 * another tab never sees it.
 */
const pending = new Map<string, string>();

export function rememberSecretOnce(repositoryId: string, secret: string): void {
  pending.set(repositoryId, secret);
}

export function peekSecret(repositoryId: string): string | undefined {
  return pending.get(repositoryId);
}

export function forgetSecret(repositoryId: string): void {
  pending.delete(repositoryId);
}
