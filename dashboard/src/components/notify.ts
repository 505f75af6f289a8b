import { notifications } from '@mantine/notifications';
import { ApiError } from '../api/client';

export function messageOf(error: unknown): string {
  if (error instanceof ApiError || error instanceof Error) {
    return error.message;
  }
  return String(error);
}

export function notifyError(title: string, error: unknown) {
  notifications.show({ color: 'red', title, message: messageOf(error), autoClose: 8000 });
}

export function notifySuccess(message: string, title?: string) {
  notifications.show({ color: 'teal', title, message, autoClose: 4000 });
}
