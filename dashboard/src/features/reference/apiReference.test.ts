import { describe, expect, it } from 'vitest';
import { groupOperations, schemaName, tagTitle } from './ApiReferencePage';

const document = {
  openapi: '3.1.0',
  info: { title: 'Orca API', version: 'development' },
  paths: {
    '/api/v1/applications/{id}/deploy': { post: { tags: ['application-controller'], operationId: 'deploy', security: [{ session: [] }] } },
    '/api/v1/health': { get: { tags: ['health-controller'], operationId: 'health', security: [] } },
    '/api/v1/admin/users': {
      get: { tags: ['admin-user-controller'], operationId: 'list', 'x-orca-role': 'admin' },
      post: { tags: ['admin-user-controller'], operationId: 'create', 'x-orca-role': 'admin' },
    },
  },
};

describe('the API reference', () => {
  it('names schemas by their reference, arrays and plain types', () => {
    expect(schemaName({ $ref: '#/components/schemas/RepositoryBody' })).toBe('RepositoryBody');
    expect(schemaName({ type: 'array', items: { $ref: '#/components/schemas/AgentJson' } })).toBe('AgentJson[]');
    expect(schemaName({ type: ['string', 'null'], format: 'uuid' })).toBe('string uuid');
    expect(schemaName(undefined)).toBe('—');
  });

  it('titles a tag after its controller', () => {
    expect(tagTitle('admin-user-controller')).toBe('Admin user');
    expect(tagTitle('health-controller')).toBe('Health');
  });

  it('groups operations by tag, and filters by method, path or id', () => {
    const all = groupOperations(document, '');
    expect(all.map(([tag, entries]) => [tag, entries.length])).toEqual([['Admin user', 2], ['Application', 1], ['Health', 1]]);
    expect(groupOperations(document, 'POST').flatMap(([, entries]) => entries.map((e) => `${e.method} ${e.path}`)))
      .toEqual(['post /api/v1/admin/users', 'post /api/v1/applications/{id}/deploy']);
    expect(groupOperations(document, 'nothing like it')).toEqual([]);
  });
});
