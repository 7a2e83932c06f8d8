from django.urls import path

from .apis import (
    AwardCreateApi,
    AwardRequestApproveApi,
    AwardRequestListApi,
    AwardRequestRejectApi,
    AwardReversalApi,
    MeApi,
    MyPointsExpiryApi,
    MyTransactionListApi,
)

urlpatterns = [
    path("me", MeApi.as_view(), name="me"),
    path("me/transactions", MyTransactionListApi.as_view(), name="my_transactions"),
    path("me/points-expiry", MyPointsExpiryApi.as_view(), name="my_points_expiry"),
    path("awards", AwardCreateApi.as_view(), name="award_create"),
    path("awards/<str:award_id>/reversals", AwardReversalApi.as_view(), name="award_reversals"),
    path("award-requests", AwardRequestListApi.as_view(), name="award_request_list"),
    path("award-requests/<str:request_id>/approve", AwardRequestApproveApi.as_view(), name="award_request_approve"),
    path("award-requests/<str:request_id>/reject", AwardRequestRejectApi.as_view(), name="award_request_reject"),
]
