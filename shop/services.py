from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .exceptions import OutOfStock, ProductChanged, ProductUnavailable
from .models import Product


def product_create(
    *,
    name: str,
    points_cost: int,
    stock_quantity: int = 0,
    description: str = "",
    category: str = "",
    is_active: bool = True,
    image: File | None = None,
) -> Product:
    """Add a product to the catalog, validated against the model's rules."""
    product = Product(
        name=name,
        points_cost=points_cost,
        stock_quantity=stock_quantity,
        description=description,
        category=category,
        is_active=is_active,
        image=image,
    )
    product.full_clean()
    product.save()
    return product


def product_stock_take(*, product: Product, quantity: int = 1) -> None:
    """Take units of stock for an order, inside the caller's transaction.

    The update re-checks what the caller read (active, same price), so a product deactivated or
    repriced in the meantime is refused instead of sold at the old price.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("product_stock_take must run inside the order's transaction.")
    taken = Product.objects.filter(
        pk=product.pk, is_active=True, points_cost=product.points_cost, stock_quantity__gte=quantity
    ).update(stock_quantity=F("stock_quantity") - quantity, updated_at=timezone.now())
    if taken:
        return
    current = Product.objects.filter(pk=product.pk).values("is_active", "points_cost").first()
    if current is None or not current["is_active"]:
        raise ProductUnavailable(f"“{product.name}” is no longer available.", product_id=product.pk)
    if current["points_cost"] != product.points_cost:
        raise ProductChanged(
            f"The price of “{product.name}” changed to {current['points_cost']} points; please check it again.",
            product_id=product.pk,
            points_cost=current["points_cost"],
        )
    raise OutOfStock(f"“{product.name}” is out of stock.", product_id=product.pk)
