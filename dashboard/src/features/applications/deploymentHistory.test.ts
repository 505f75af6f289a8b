import { describe, expect, it } from 'vitest';
import type { Deployment } from '../../api/types';
import { newestFirst } from './deployments';

const deployment = (id: string, startedAt: string, generation: number) => ({ id, startedAt, generation }) as Deployment;

describe('the history order', () => {
  it('puts the newest start first, comparing instants rather than their text', () => {
    const list = [
      deployment('a', '2026-12-03T22:01:35.1Z', 1),
      deployment('b', '2026-12-03T22:01:35.12Z', 2),
      deployment('c', '2026-12-03T22:01:36Z', 3),
    ];
    expect(list.sort(newestFirst).map((d) => d.id)).toEqual(['c', 'b', 'a']);
  });

  it('breaks a tie of start by the higher generation', () => {
    const list = [deployment('low', '2026-12-03T22:01:35Z', 4), deployment('high', '2026-12-03T22:01:35Z', 5)];
    expect(list.sort(newestFirst).map((d) => d.id)).toEqual(['high', 'low']);
  });
});
