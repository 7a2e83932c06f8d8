from django.urls import path

from . import views

app_name = "shop"

urlpatterns = [
    path("", views.product_list_page, name="product_list"),
    path("products/<str:product_id>/", views.product_detail_page, name="product_detail"),
    path("wishlist/", views.wishlist_page, name="wishlist"),
    path("wishlist/<str:product_id>/", views.wishlist_change, name="wishlist_change"),
]
