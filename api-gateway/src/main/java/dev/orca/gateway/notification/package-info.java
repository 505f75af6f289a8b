/**
 * Notifications: channels (where messages go and which events they want), the queue the projector
 * fills in the transaction of each event ({@link dev.orca.gateway.notification.NotificationQueue}),
 * and the notifier that sends it with retries ({@link dev.orca.gateway.notification.NotificationSender}).
 */
package dev.orca.gateway.notification;
