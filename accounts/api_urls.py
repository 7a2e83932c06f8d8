from django.urls import path

from .apis import TokenApi

urlpatterns = [
    path("auth/token", TokenApi.as_view(), name="token"),
]
