import { useMutation, useQuery } from '@tanstack/react-query';
import { notificationsApi } from '../../api/endpoints';
import { queryKeys } from '../../api/queryKeys';
import type { NotificationBody, NotificationChannel } from '../../api/types';
import { liveQuery, queryClient } from '../../app/queryClient';
import { notifyError, notifySuccess } from '../../components/notify';

export function useNotificationChannels() {
  return useQuery({ queryKey: queryKeys.notifications, queryFn: liveQuery(queryKeys.notifications, notificationsApi.list) });
}

/** The channel's delivery log; fetched again by the live event that follows each delivery. */
export function useDeliveries(channelId: string | null) {
  return useQuery({
    queryKey: queryKeys.notificationDeliveries(channelId ?? ''),
    queryFn: () => notificationsApi.deliveries(channelId ?? ''),
    enabled: channelId !== null,
  });
}

function remember(channel: NotificationChannel) {
  queryClient.setQueryData<NotificationChannel[]>(queryKeys.notifications, (list) =>
    list ? [...list.filter((c) => c.id !== channel.id), channel] : list,
  );
}

export function useSaveChannel() {
  return useMutation({
    mutationFn: ({ id, body }: { id?: string; body: NotificationBody }) =>
      id ? notificationsApi.update(id, body) : notificationsApi.create(body),
    onSuccess: remember,
  });
}

export function useDeleteChannel() {
  return useMutation({
    mutationFn: (id: string) => notificationsApi.remove(id),
    onSuccess: (_, id) =>
      queryClient.setQueryData<NotificationChannel[]>(queryKeys.notifications, (list) => list?.filter((c) => c.id !== id)),
  });
}

/** Sends a test message and says how it went itself (the row's live event may re-render it first). */
export function useTestChannel() {
  return useMutation({
    mutationFn: (channel: NotificationChannel) => notificationsApi.test(channel.id),
    onSuccess: (_, channel) => notifySuccess(`${channel.name} received the test message.`, 'Test sent'),
    onError: (error, channel) => notifyError(`${channel.name} did not take the test message`, error),
  });
}
