from datetime import datetime, tzinfo

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from awsomeshop.api import error_responses

from .filters import CatalogFilterBackend, ProductFilter
from .models import Product
from .pagination import CatalogPagination
from .selectors import product_category_list, product_get_active, product_list, product_option_list


def product_image_url(product: Product, request: HttpRequest) -> str | None:
    """The image's absolute URL (a presigned one with S3). The site's base is worked out once
    per request: the catalog asks for up to 100 of these."""
    image = product.image
    if not image:
        return None
    url = image.url
    if url.startswith(("http://", "https://")):
        return url
    if not hasattr(request, "_absolute_base"):
        request._absolute_base = request.build_absolute_uri("/")[:-1]
    return request._absolute_base + url


def iso_datetime(value: datetime, zone: tzinfo) -> str:
    """What DRF's DateTimeField writes (ISO 8601 in the time zone, UTC as `Z`), at a seventh of
    its cost: the catalog writes two per product."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class ProductOutputSerializer(serializers.ModelSerializer):
    image_url = serializers.SerializerMethodField()
    in_stock = serializers.BooleanField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "name",
            "description",
            "category",
            "points_cost",
            "stock_quantity",
            "in_stock",
            "image_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_image_url(self, product: Product) -> str | None:
        return product_image_url(product, self.context["request"])

    @cached_property
    def _zone(self) -> tzinfo:
        # Looked up once for the page, not twice per product (DRF's fields do it each time).
        return timezone.get_current_timezone()

    def to_representation(self, product: Product) -> dict:
        # The catalog's hot path: the same fields and formats as the declared ones, built directly
        # (DRF's field-by-field machinery was a third of the request's time; see docs/performance.md).
        zone = self._zone
        return {
            "id": product.pk,
            "name": product.name,
            "description": product.description,
            "category": product.category,
            "points_cost": product.points_cost,
            "stock_quantity": product.stock_quantity,
            "in_stock": product.stock_quantity > 0,
            "image_url": self.get_image_url(product),
            "created_at": iso_datetime(product.created_at, zone),
            "updated_at": iso_datetime(product.updated_at, zone),
        }


@extend_schema(tags=["catalog"], responses={200: ProductOutputSerializer, **error_responses(400, 401, 404)})
class ProductListApi(generics.ListAPIView):
    """Active products. Filter with `q`, `category`, `min_points`, `max_points`, `in_stock`,
    `affordable` (what my balance covers) and order with `sort`."""

    serializer_class = ProductOutputSerializer
    pagination_class = CatalogPagination
    filter_backends = [CatalogFilterBackend]
    filterset_class = ProductFilter

    def get_queryset(self):
        return product_list()


class ProductOptionOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    stock_quantity = serializers.IntegerField()
    in_stock = serializers.BooleanField()


class ProductDetailOutputSerializer(ProductOutputSerializer):
    """One product with what its order needs: the options (each with its stock), how it is
    delivered, and the question the employee answers."""

    options = ProductOptionOutputSerializer(many=True, read_only=True)
    delivery_method = serializers.ChoiceField(
        choices=Product._meta.get_field("delivery_method").choices,
        read_only=True,
        help_text="shipped: send `delivery_address`; pickup: send `pickup_location`; digital: neither.",
    )
    option_label = serializers.CharField(read_only=True, help_text="What the options are, e.g. “Size”.")
    note_prompt = serializers.CharField(
        read_only=True, allow_null=True, help_text="When set, the order needs a `note` answering it."
    )

    class Meta(ProductOutputSerializer.Meta):
        fields = [*ProductOutputSerializer.Meta.fields, "options", "delivery_method", "option_label", "note_prompt"]
        read_only_fields = fields

    def to_representation(self, product: Product) -> dict:
        options = product_option_list(product_id=product.pk)
        return {
            **super().to_representation(product),
            "options": [
                {"id": o.pk, "name": o.name, "stock_quantity": o.stock_quantity, "in_stock": o.in_stock}
                for o in options
            ],
            "delivery_method": product.delivery,
            "option_label": product.options_name if options else None,
            "note_prompt": product.note_prompt or None,
        }


@extend_schema(tags=["catalog"], responses={200: ProductDetailOutputSerializer, **error_responses(401, 404)})
class ProductDetailApi(APIView):
    def get(self, request: Request, product_id: str) -> Response:
        product = product_get_active(product_id=product_id)
        return Response(ProductDetailOutputSerializer(product, context={"request": request}).data)


@extend_schema(
    tags=["catalog"],
    responses={
        200: inline_serializer(
            name="CategoryList", fields={"categories": serializers.ListField(child=serializers.CharField())}
        ),
        **error_responses(401),
    },
)
class CategoryListApi(APIView):
    """The categories that have active products, sorted."""

    def get(self, request: Request) -> Response:
        return Response({"categories": product_category_list()})
