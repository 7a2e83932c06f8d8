from django.urls import path

from .apis import CategoryListApi, ProductDetailApi, ProductListApi

urlpatterns = [
    path("products", ProductListApi.as_view(), name="product_list"),
    path("products/<str:product_id>", ProductDetailApi.as_view(), name="product_detail"),
    path("categories", CategoryListApi.as_view(), name="category_list"),
]
