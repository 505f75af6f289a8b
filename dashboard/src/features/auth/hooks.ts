import { useMutation, useQuery } from '@tanstack/react-query';
import { authApi } from '../../api/endpoints';
import { queryKeys } from '../../api/queryKeys';
import type { ApiToken } from '../../api/types';
import { queryClient } from '../../app/queryClient';

export function useSetup() {
  return useQuery({ queryKey: queryKeys.setup, queryFn: authApi.setup });
}

export function useOidcButtons() {
  return useQuery({ queryKey: queryKeys.oidcButtons, queryFn: authApi.oidcProviders });
}

export function useProfile() {
  // The default retry: a 401 is final (sign in), a timeout or a 5xx is tried again.
  return useQuery({ queryKey: queryKeys.profile, queryFn: authApi.profile });
}

export function useLogin() {
  return useMutation({
    mutationFn: authApi.login,
    onSuccess: (user) => {
      queryClient.clear();
      queryClient.setQueryData(queryKeys.profile, user);
      queryClient.setQueryData(queryKeys.setup, { setupRequired: false });
    },
  });
}

export function useRegister() {
  return useMutation({ mutationFn: authApi.register });
}

export function useLogout() {
  return useMutation({ mutationFn: authApi.logout, onSettled: () => queryClient.clear() });
}

export function useUpdateProfile() {
  return useMutation({
    mutationFn: authApi.updateProfile,
    onSuccess: (user) => queryClient.setQueryData(queryKeys.profile, user),
  });
}

export function useChangePassword() {
  return useMutation({ mutationFn: authApi.changePassword });
}

export function useTokens() {
  return useQuery({ queryKey: queryKeys.tokens, queryFn: authApi.tokens });
}

export function useCreateToken() {
  return useMutation({
    mutationFn: authApi.createToken,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.tokens }),
  });
}

export function useDeleteToken() {
  return useMutation({
    mutationFn: authApi.deleteToken,
    onSuccess: (_, id) => queryClient.setQueryData<ApiToken[]>(queryKeys.tokens, (list) => list?.filter((t) => t.id !== id)),
  });
}
