from django.urls import path

from . import views

app_name = "points"

urlpatterns = [
    path("points/", views.points_history_page, name="history"),
]
