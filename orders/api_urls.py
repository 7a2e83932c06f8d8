from django.urls import path

from .apis import OrderCancelApi, OrderDetailApi, OrderListCreateApi

urlpatterns = [
    path("orders", OrderListCreateApi.as_view(), name="order_list"),
    path("orders/<str:order_id>", OrderDetailApi.as_view(), name="order_detail"),
    path("orders/<str:order_id>/cancel", OrderCancelApi.as_view(), name="order_cancel"),
]
