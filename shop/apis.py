from datetime import datetime, tzinfo

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from awsomeshop.api import error_responses
from points.selectors import user_points_get

from .filters import CatalogFilterBackend, ProductFilter
from .models import Product, WishlistItem
from .pagination import CatalogPagination
from .selectors import product_category_list, product_get_active, product_list, product_option_list, wishlist_list
from .wishlist import wishlist_add, wishlist_remove


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


class WishlistEntryOutputSerializer(serializers.Serializer):
    product = ProductOutputSerializer(help_text="The product, withdrawn ones too (`offered` says so).")
    added_at = serializers.DateTimeField(source="created_at")
    offered = serializers.BooleanField(help_text="False once the product is withdrawn from the catalog.")
    affordable = serializers.BooleanField(help_text="Whether my balance covers its price now.")
    missing_points = serializers.IntegerField(help_text="Points I still need for it; 0 when affordable.")


def _wishlist_entry(wish: WishlistItem, balance: int) -> dict:
    missing = max(wish.product.points_cost - balance, 0)
    return {
        "product": wish.product,
        "created_at": wish.created_at,
        "offered": wish.product.is_active,
        "affordable": missing == 0,
        "missing_points": missing,
    }


@extend_schema(tags=["me"], responses={200: WishlistEntryOutputSerializer(many=True), **error_responses(401)})
class MyWishlistApi(APIView):
    """My wishlist, newest first: each product, whether my balance covers it and what is missing.
    At most WISHLIST_MAX entries, so it is not paged."""

    def get(self, request: Request) -> Response:
        balance = user_points_get(user_id=request.user.pk).current_points
        entries = [_wishlist_entry(wish, balance) for wish in wishlist_list(user_id=request.user.pk)]
        return Response(WishlistEntryOutputSerializer(entries, many=True, context={"request": request}).data)


@extend_schema(tags=["me"])
class MyWishlistEntryApi(APIView):
    """Save a product to my wishlist (PUT: 201 when new, 200 when it was there already) or take it
    off (DELETE: 204, whether or not it was there). Both may be repeated safely."""

    @extend_schema(
        request=None,
        responses={
            200: WishlistEntryOutputSerializer,
            201: WishlistEntryOutputSerializer,
            **error_responses(401, 404, 409),
        },
    )
    def put(self, request: Request, product_id: str) -> Response:
        wish, created = wishlist_add(user_id=request.user.pk, product_id=product_id)
        wish = wishlist_list(user_id=request.user.pk).get(pk=wish.pk)
        balance = user_points_get(user_id=request.user.pk).current_points
        data = WishlistEntryOutputSerializer(_wishlist_entry(wish, balance), context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses={204: None, **error_responses(401)})
    def delete(self, request: Request, product_id: str) -> Response:
        wishlist_remove(user_id=request.user.pk, product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
