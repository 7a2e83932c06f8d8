from django.urls import path

from . import views

app_name = "recognition"

urlpatterns = [
    path("recognition/", views.feed_page, name="feed"),
    path("recognition/give/", views.give_page, name="give"),
    path("recognition/people/<str:user_id>/", views.person_page, name="person"),
    path("recognition/my-birthday/", views.birthday_sharing, name="birthday_sharing"),
    path("recognition/<str:recognition_id>/", views.detail_page, name="detail"),
    path("recognition/<str:recognition_id>/add/", views.add_points, name="add_points"),
    path("recognition/<str:recognition_id>/react/", views.react, name="react"),
]
