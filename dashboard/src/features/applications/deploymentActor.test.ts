import { describe, expect, it } from 'vitest';
import { actorText, reasonText } from './deploymentActor';

describe('deployment reason', () => {
  it('names every reason the API sends, an image update among them', () => {
    expect(reasonText('image_update')).toBe('Image update');
    expect(reasonText('sync')).toBe('Git sync');
    expect(reasonText('manual')).toBe('Manual deploy');
    expect(reasonText('rollback')).toBe('Rollback');
    expect(reasonText('unknown')).toBe('Unknown');
  });

  it('shows a reason it does not know as it is', () => {
    expect(reasonText('something_new')).toBe('something_new');
    expect(reasonText('constructor')).toBe('constructor');
  });
});

describe('deployment actor', () => {
  const me = { id: 'u1', name: 'Ada' };
  const agentName = (id: string) => (id === 'a1' ? 'edge-01' : undefined);

  it('names the signed-in user', () => {
    expect(actorText('u1', { me })).toBe('Ada (you)');
    expect(actorText('u2', { me })).toBe('u2');
  });

  it("reads the image webhook and an agent's image check", () => {
    expect(actorText('webhook:image')).toBe('image webhook');
    expect(actorText('webhook:image:dockerhub')).toBe('image webhook from Docker Hub');
    expect(actorText('webhook:image:github')).toBe('image webhook from GitHub Packages');
    expect(actorText('webhook:image:plain')).toBe('image webhook');
    expect(actorText('image-poll:a1', { agentName })).toBe('image check on edge-01');
    expect(actorText('image-poll:a9', { agentName })).toBe('image check on a9');
    expect(actorText('image-poll:a1')).toBe('image check on a1');
  });

  it('says when Orca rolled back by itself', () => {
    expect(actorText('auto-rollback')).toBe('automatic rollback after a failed deployment');
  });

  it('shows any other actor as it is', () => {
    expect(actorText('poller', { me, agentName })).toBe('poller');
    expect(actorText('webhook:github')).toBe('webhook:github');
  });
});
