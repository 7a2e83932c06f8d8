from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list_page, name="list"),
    path("notifications/read-all/", views.notification_read_all, name="read_all"),
    path("notifications/preferences/", views.preferences_page, name="preferences"),
    path("notifications/<str:notification_id>/open/", views.notification_open, name="open"),
]
