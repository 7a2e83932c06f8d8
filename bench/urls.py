from django.http import JsonResponse
from django.urls import path

from awsomeshop.urls import handler400, handler404, handler500  # noqa: F401 - the app's error pages
from awsomeshop.urls import urlpatterns as app_urlpatterns
from shop.models import Product

FLOOR_FIELDS = [
    "id",
    "name",
    "description",
    "category",
    "points_cost",
    "stock_quantity",
    "image",
    "created_at",
    "updated_at",
]


def floor_products(request):
    """The floor of Django on this database: the same rows as the catalog API's first page,
    straight from `.values()` into a JsonResponse; no auth, no serializer, no count."""
    size = min(int(request.GET.get("page_size", 20)), 100)
    rows = list(Product.objects.filter(is_active=True).order_by("name", "id").values(*FLOOR_FIELDS)[:size])
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/floor/products", floor_products), *app_urlpatterns]
