from django.urls import path

from .apis import MyNotificationListApi, NotificationReadAllApi, NotificationReadApi, NotificationUnreadCountApi

urlpatterns = [
    path("me/notifications", MyNotificationListApi.as_view(), name="my_notifications"),
    path("me/notifications/unread-count", NotificationUnreadCountApi.as_view(), name="notifications_unread_count"),
    path("me/notifications/read-all", NotificationReadAllApi.as_view(), name="notifications_read_all"),
    path("me/notifications/<str:notification_id>/read", NotificationReadApi.as_view(), name="notification_read"),
]
