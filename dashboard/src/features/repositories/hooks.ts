import { useMutation, useQuery } from '@tanstack/react-query';
import { repositoriesApi } from '../../api/endpoints';
import { queryKeys } from '../../api/queryKeys';
import type { ConnectionBody, Repository, RepositoryBody } from '../../api/types';
import { liveQuery, queryClient } from '../../app/queryClient';

export function useRepositories() {
  return useQuery({ queryKey: queryKeys.repositories, queryFn: liveQuery(queryKeys.repositories, repositoriesApi.list) });
}

export function useRepository(id: string | undefined) {
  return useQuery({
    enabled: Boolean(id),
    queryKey: queryKeys.repository(id ?? ''),
    queryFn: liveQuery(queryKeys.repository(id ?? ''), () => repositoriesApi.get(id ?? '')),
  });
}

function remember(repository: Repository) {
  queryClient.setQueryData(queryKeys.repository(repository.id), repository);
  queryClient.setQueryData<Repository[]>(queryKeys.repositories, (list) =>
    list ? [...list.filter((r) => r.id !== repository.id), repository] : list,
  );
}

export function useSaveRepository(id?: string) {
  return useMutation({
    mutationFn: (body: RepositoryBody) => (id ? repositoriesApi.update(id, body) : repositoriesApi.create(body)),
    onSuccess: remember,
  });
}

export function useSyncRepository() {
  return useMutation({ mutationFn: (id: string) => repositoriesApi.sync(id) });
}

export function useDeleteRepository(id: string) {
  return useMutation({
    mutationFn: () => repositoriesApi.remove(id),
    onSuccess: () => {
      queryClient.setQueryData<Repository[]>(queryKeys.repositories, (list) => list?.filter((r) => r.id !== id));
      queryClient.removeQueries({ queryKey: queryKeys.repository(id) });
    },
  });
}

/** Whether the remote answers with these settings (nothing is saved). */
export function useTestConnection() {
  return useMutation({ mutationFn: (body: ConnectionBody) => repositoriesApi.testConnection(body) });
}

/** The remote's branches, for pickers: read once a minute at most, never retried on failure. */
export function useRemoteBranches(repositoryId: string | undefined) {
  return useQuery({
    enabled: Boolean(repositoryId),
    queryKey: queryKeys.remoteBranches(repositoryId ?? ''),
    queryFn: () => repositoriesApi.branches(repositoryId ?? ''),
    staleTime: 60_000,
    retry: false,
  });
}

/** The files at a branch's head, for the compose path picker. */
export function useRemoteTree(repositoryId: string | undefined, branch: string | undefined) {
  return useQuery({
    enabled: Boolean(repositoryId && branch),
    queryKey: queryKeys.remoteTree(repositoryId ?? '', branch ?? ''),
    queryFn: () => repositoriesApi.tree(repositoryId ?? '', branch ?? ''),
    staleTime: 60_000,
    retry: false,
  });
}
