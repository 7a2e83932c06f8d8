from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("products/<str:product_id>/redeem/", views.redeem_page, name="redeem"),
    path("orders/", views.order_list_page, name="order_list"),
    path("orders/<str:order_id>/", views.order_detail_page, name="order_detail"),
    path("orders/<str:order_id>/cancel/", views.order_cancel_page, name="order_cancel"),
]
