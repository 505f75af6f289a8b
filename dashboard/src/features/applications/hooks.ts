import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { applicationsApi } from '../../api/endpoints';
import { queryKeys } from '../../api/queryKeys';
import type { Application, ApplicationBody, ApplicationListQuery, ApplicationSummary } from '../../api/types';
import { liveCache, liveQuery, queryClient } from '../../app/queryClient';
import { notifyError, notifySuccess } from '../../components/notify';
import { summary } from '../../live/liveCache';
import { shortSha } from './commit';

export function useApplications() {
  return useQuery({ queryKey: queryKeys.applications, queryFn: liveQuery(queryKeys.applications, applicationsApi.list) });
}

/**
 * One page of the list, filtered, searched and sorted by the server. On the list, while the next
 * page (or another search) loads, the page shown stays ({@code keepShown}); a page whose subject
 * changes (another repository's applications) must not show the last one's meanwhile.
 */
export function useApplicationPage(query: ApplicationListQuery, { keepShown = true }: { keepShown?: boolean } = {}) {
  const key = queryKeys.applicationPage(query);
  return useQuery({
    queryKey: key,
    queryFn: liveQuery(key, () => applicationsApi.page(query)),
    placeholderData: keepShown ? keepPreviousData : undefined,
  });
}

/** How many applications have each status, fetched again after live events that may change them. */
export function useApplicationCounts() {
  return useQuery({ queryKey: queryKeys.applicationCounts, queryFn: applicationsApi.counts });
}

export function useApplication(id: string | undefined) {
  return useQuery({
    enabled: Boolean(id),
    queryKey: queryKeys.application(id ?? ''),
    queryFn: liveQuery(queryKeys.application(id ?? ''), () => applicationsApi.get(id ?? '')),
  });
}

export function useDeployments(id: string) {
  return useQuery({
    queryKey: queryKeys.deployments(id),
    queryFn: liveQuery(queryKeys.deployments(id), () => applicationsApi.deployments(id)),
  });
}

/** Puts a written application into the cache at once; its SSE event follows and agrees. */
function remember(app: Application) {
  queryClient.setQueryData(queryKeys.application(app.id), app);
  queryClient.setQueryData<ApplicationSummary[]>(queryKeys.applications, (list) =>
    list ? [...list.filter((a) => a.id !== app.id), summary(app)] : list,
  );
}

export function useSaveApplication(id?: string) {
  return useMutation({
    mutationFn: (body: ApplicationBody) => (id ? applicationsApi.update(id, body) : applicationsApi.create(body)),
    onSuccess: remember,
  });
}

export function useEnvironment(id: string) {
  return useQuery({ queryKey: queryKeys.environment(id), queryFn: () => applicationsApi.environment(id) });
}

/** Replaces the application's variables; the answer (names only) becomes what the page lists. */
export function useSaveEnvironment(id: string) {
  return useMutation({
    mutationFn: (variables: Record<string, string>) => applicationsApi.setEnvironment(id, variables),
    onSuccess: (saved) => queryClient.setQueryData(queryKeys.environment(id), saved),
  });
}

export function useDeployApplication(id: string) {
  return useMutation({ mutationFn: () => applicationsApi.deploy(id) });
}

/** One deployment with what it ran; {@code deploymentId} null fetches nothing. */
export function useDeploymentDetail(applicationId: string, deploymentId: string | null) {
  return useQuery({
    queryKey: queryKeys.deployment(applicationId, deploymentId ?? ''),
    queryFn: () => applicationsApi.deployment(applicationId, deploymentId ?? ''),
    enabled: deploymentId !== null,
    // What a finished deployment ran never changes; one still running, or not recorded yet, may.
    staleTime: (query) => (query.state.data?.outcome && query.state.data.composeFile !== null ? Infinity : 0),
  });
}

/**
 * Rolls back and says so itself: the live events of the rollback re-render the history (the row's
 * button goes once it is the pinned one) before the answer may arrive, and a callback of an
 * unmounted component never runs.
 */
export function useRollback(id: string) {
  return useMutation({
    mutationFn: (deployment: { id: string; commit: string | null }) => applicationsApi.rollback(id, deployment.id),
    onSuccess: (_answer, deployment) =>
      notifySuccess(`Rolling back to ${shortSha(deployment.commit)}; the application stays pinned there.`, 'Rollback requested'),
  });
}

/** Unpins and says so itself: the live event of the unpin removes the notice holding the button first. */
export function useUnpin(id: string) {
  return useMutation({
    mutationFn: () => applicationsApi.unpin(id),
    onSuccess: () => notifySuccess("Unpinned: the branch's newest commit is being deployed."),
    onError: (error) => notifyError('Cannot unpin', error),
  });
}

/** Takes a removed application out of every cache entry at once, as its live event will. */
function forget(id: string) {
  liveCache.apply({ seq: null, type: 'application', data: { id, deleted: true } });
  queryClient.removeQueries({ queryKey: queryKeys.application(id) });
}

export function useDeleteApplication(id: string) {
  return useMutation({ mutationFn: () => applicationsApi.remove(id), onSuccess: () => forget(id) });
}

/** An admin's forced removal: the application is gone at once, whatever its agent does. */
export function useForceDeleteApplication(id: string) {
  return useMutation({ mutationFn: () => applicationsApi.forceRemove(id), onSuccess: () => forget(id) });
}
