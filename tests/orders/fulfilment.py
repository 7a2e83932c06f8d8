"""Products and orders for the fulfilment tests: each delivery method, options, codes."""

from orders.services import OrderDetails, order_redeem
from shop.models import Product
from shop.services import product_option_create
from tests.factories import ProductFactory

ADDRESS = "Emma Foster\n12 Harbour Street\nBristol BS1 4RN"
DESK = "Bristol office, 3rd floor, desk 3.14"


def shipped_product(**fields) -> Product:
    return ProductFactory(name="Hoodie", points_cost=300, delivery_method="shipped", **fields)


def hoodie_with_sizes(**stock: int) -> tuple[Product, dict[str, str]]:
    """A shipped hoodie whose stock lives on its sizes; returns it and each size's option id."""
    product = ProductFactory(name="Hoodie", points_cost=300, delivery_method="shipped", option_label="Size")
    options = {
        size: product_option_create(product_id=product.pk, name=size, stock_quantity=units).pk
        for size, units in (stock or {"S": 2, "M": 3}).items()
    }
    return Product.objects.get(pk=product.pk), options


def shipped_order(user, product, *, option_id=None, address=ADDRESS):
    return order_redeem(
        user_id=user.pk, product_id=product.pk, details=OrderDetails(option_id=option_id, delivery_address=address)
    )


def pickup_order(user, product, *, desk=DESK):
    return order_redeem(user_id=user.pk, product_id=product.pk, details=OrderDetails(pickup_location=desk))
