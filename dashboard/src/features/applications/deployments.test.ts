import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../api/types';
import { canRollBackTo, defaultBaseline, fileChanges } from './deployments';

const file = (path: string, fingerprint: string) => ({ path, size: 1, fingerprint });

function deployment(id: string, digest: string, state: Deployment['state'] = 'succeeded'): Deployment {
  return {
    id,
    applicationId: 'app',
    agentId: 'agent',
    generation: 1,
    reason: 'sync',
    actor: 'poller',
    commit: 'c',
    digest,
    state,
    outcome: state === 'in_progress' ? null : state,
    error: null,
    startedAt: null,
    endedAt: null,
    deadline: null,
    updatedAt: null,
  };
}

describe('fileChanges', () => {
  it('names files added, removed and changed, by path', () => {
    expect(
      fileChanges([file('a.env', '1'), file('conf/x', '2'), file('gone', '3')], [file('a.env', '1'), file('conf/x', '9'), file('new', '4')]),
    ).toEqual([
      { path: 'conf/x', change: 'changed' },
      { path: 'gone', change: 'removed' },
      { path: 'new', change: 'added' },
    ]);
  });

  it('finds nothing between the same files', () => {
    expect(fileChanges([file('a', '1')], [file('a', '1')])).toEqual([]);
  });
});

describe('defaultBaseline', () => {
  const list = [deployment('d4', 'x'), deployment('d3', 'x'), deployment('d2', 'y'), deployment('d1', 'z')];

  it('compares with the next older deployment that ran something else', () => {
    expect(defaultBaseline(list, 'd4')).toBe('d2');
    expect(defaultBaseline(list, 'd2')).toBe('d1');
  });

  it('takes the next older one when all older ran the same, and none for the oldest', () => {
    expect(defaultBaseline([deployment('b', 'x'), deployment('a', 'x')], 'b')).toBe('a');
    expect(defaultBaseline(list, 'd1')).toBeNull();
    expect(defaultBaseline(list, 'unknown')).toBeNull();
  });
});

describe('canRollBackTo', () => {
  it('offers only deployments that succeeded, and not the one pinned already', () => {
    expect(canRollBackTo(deployment('a', 'x'), null)).toBe(true);
    expect(canRollBackTo(deployment('a', 'x'), 'a')).toBe(false);
    expect(canRollBackTo(deployment('a', 'x', 'failed'), null)).toBe(false);
    expect(canRollBackTo(deployment('a', 'x', 'in_progress'), null)).toBe(false);
  });
});
