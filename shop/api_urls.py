from django.urls import path

from .apis import CategoryListApi, MyWishlistApi, MyWishlistEntryApi, ProductDetailApi, ProductListApi

urlpatterns = [
    path("products", ProductListApi.as_view(), name="product_list"),
    path("products/<str:product_id>", ProductDetailApi.as_view(), name="product_detail"),
    path("categories", CategoryListApi.as_view(), name="category_list"),
    path("me/wishlist", MyWishlistApi.as_view(), name="my_wishlist"),
    path("me/wishlist/<str:product_id>", MyWishlistEntryApi.as_view(), name="my_wishlist_entry"),
]
