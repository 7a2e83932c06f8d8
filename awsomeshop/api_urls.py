"""The versioned JSON API: /api/v1/..., its OpenAPI schema and docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.apis import TokenApi
from notifications.apis import MyNotificationListApi, NotificationReadAllApi, NotificationReadApi
from orders.apis import OrderCancelApi, OrderDetailApi, OrderListCreateApi
from points.apis import (
    AwardCreateApi,
    AwardRequestApproveApi,
    AwardRequestListApi,
    AwardRequestRejectApi,
    AwardReversalApi,
    MeApi,
    MyTransactionListApi,
)
from shop.apis import CategoryListApi, ProductDetailApi, ProductListApi

v1 = [
    path("auth/token", TokenApi.as_view(), name="token"),
    path("products", ProductListApi.as_view(), name="product_list"),
    path("products/<str:product_id>", ProductDetailApi.as_view(), name="product_detail"),
    path("categories", CategoryListApi.as_view(), name="category_list"),
    path("me", MeApi.as_view(), name="me"),
    path("me/transactions", MyTransactionListApi.as_view(), name="my_transactions"),
    path("me/notifications", MyNotificationListApi.as_view(), name="my_notifications"),
    path("me/notifications/read-all", NotificationReadAllApi.as_view(), name="notifications_read_all"),
    path("me/notifications/<str:notification_id>/read", NotificationReadApi.as_view(), name="notification_read"),
    path("orders", OrderListCreateApi.as_view(), name="order_list"),
    path("orders/<str:order_id>", OrderDetailApi.as_view(), name="order_detail"),
    path("orders/<str:order_id>/cancel", OrderCancelApi.as_view(), name="order_cancel"),
    path("awards", AwardCreateApi.as_view(), name="award_create"),
    path("awards/<str:award_id>/reversals", AwardReversalApi.as_view(), name="award_reversals"),
    path("award-requests", AwardRequestListApi.as_view(), name="award_request_list"),
    path("award-requests/<str:request_id>/approve", AwardRequestApproveApi.as_view(), name="award_request_approve"),
    path("award-requests/<str:request_id>/reject", AwardRequestRejectApi.as_view(), name="award_request_reject"),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
]
