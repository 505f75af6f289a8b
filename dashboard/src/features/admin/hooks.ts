import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { adminApi } from '../../api/endpoints';
import { queryKeys } from '../../api/queryKeys';
import type { AuditFilter, OidcProvider, OidcProviderBody, User, UserChangeBody } from '../../api/types';
import { queryClient } from '../../app/queryClient';

export const AUDIT_PAGE = 50;

export function useUsers() {
  return useQuery({ queryKey: queryKeys.adminUsers, queryFn: adminApi.users });
}

function remember(user: User) {
  queryClient.setQueryData<User[]>(queryKeys.adminUsers, (list) =>
    list ? [...list.filter((u) => u.id !== user.id), user] : list,
  );
  // A change is an audit log entry: the log is read again when next shown.
  void queryClient.invalidateQueries({ queryKey: ['admin', 'audit-logs'] });
}

export function useCreateUser() {
  return useMutation({ mutationFn: adminApi.createUser, onSuccess: remember });
}

export function useUpdateUser() {
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: UserChangeBody }) => adminApi.updateUser(id, body),
    onSuccess: remember,
  });
}

export function useDeleteUser() {
  return useMutation({
    mutationFn: (id: string) => adminApi.removeUser(id),
    onSuccess: (_, id) => {
      queryClient.setQueryData<User[]>(queryKeys.adminUsers, (list) => list?.filter((u) => u.id !== id));
      void queryClient.invalidateQueries({ queryKey: ['admin', 'audit-logs'] });
    },
  });
}

/** The audit log, newest first, a page at a time: each further page is the entries older than the last one shown. */
export function useAuditLog(filter: AuditFilter) {
  return useInfiniteQuery({
    queryKey: queryKeys.auditLogs(filter),
    queryFn: ({ pageParam }) => adminApi.auditLogs(filter, pageParam, AUDIT_PAGE),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => (last.length < AUDIT_PAGE ? undefined : last.at(-1)?.id),
  });
}

export function useSystemInfo() {
  return useQuery({ queryKey: queryKeys.systemInfo, queryFn: adminApi.systemInfo });
}

export function useOidcProviders() {
  return useQuery({ queryKey: queryKeys.oidcProviders, queryFn: adminApi.oidcProviders });
}

function rememberProvider(provider: OidcProvider) {
  queryClient.setQueryData<OidcProvider[]>(queryKeys.oidcProviders, (list) =>
    list ? [...list.filter((p) => p.id !== provider.id), provider] : list,
  );
  // The login page's buttons follow.
  void queryClient.invalidateQueries({ queryKey: queryKeys.oidcButtons });
  void queryClient.invalidateQueries({ queryKey: ['admin', 'audit-logs'] });
}

export function useSaveOidcProvider() {
  return useMutation({
    mutationFn: ({ id, body }: { id?: string; body: OidcProviderBody }) =>
      id ? adminApi.updateOidcProvider(id, body) : adminApi.createOidcProvider(body),
    onSuccess: rememberProvider,
  });
}

export function useDeleteOidcProvider() {
  return useMutation({
    mutationFn: (id: string) => adminApi.removeOidcProvider(id),
    onSuccess: (_, id) => {
      queryClient.setQueryData<OidcProvider[]>(queryKeys.oidcProviders, (list) => list?.filter((p) => p.id !== id));
      void queryClient.invalidateQueries({ queryKey: queryKeys.oidcButtons });
    },
  });
}
