"""The catalog's stock, inside an order's transaction: lock a product (after the account, the
order every redemption and fulfilment step uses), check the option picked, take units and give
them back. Call me inside your transaction: every function here refuses to run outside one.

Plain SQL: these run on every redemption, where the ORM's query building cost more than the
statements themselves (docs/performance.md). Built once, for the database in use.
"""

from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from awsomeshop.db import in_transaction

from .exceptions import InvalidOption, OutOfStock, ProductUnavailable
from .models import STOCK_MAX, Product, ProductOption
from .services import _catalog_version_bump, _locked_products, _product_stock_from_options, catalog_write, price_changed

OUTSIDE_A_TRANSACTION = "Stock changes must run inside the order's transaction."

_PRODUCTS, _OPTIONS = Product._meta.db_table, ProductOption._meta.db_table
_ORDER_SQL: dict[str, str] = {}


def _order_sql(name: str) -> str:
    if not _ORDER_SQL:
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        _ORDER_SQL["lock"] = (
            "SELECT product_id, name, points_cost, stock_quantity, image_url, category, delivery_method, "  # noqa: S608
            f"note_prompt, (SELECT COUNT(*) FROM {_OPTIONS} o WHERE o.product_id = p.product_id), {{also}} "
            f"FROM {_PRODUCTS} p WHERE product_id = %s AND is_active{lock}"
        )
        _ORDER_SQL["take"] = (
            f"UPDATE {_PRODUCTS} SET stock_quantity = stock_quantity - %s, updated_at = %s "  # noqa: S608
            "WHERE product_id = %s AND is_active AND points_cost = %s AND stock_quantity >= %s"
        )
        _ORDER_SQL["option"] = (
            f"SELECT option_id, name, stock_quantity FROM {_OPTIONS} WHERE option_id = %s AND product_id = %s"  # noqa: S608
        )
        _ORDER_SQL["take_option"] = (
            f"UPDATE {_OPTIONS} SET stock_quantity = stock_quantity - %s, updated_at = %s "  # noqa: S608
            "WHERE option_id = %s AND product_id = %s AND stock_quantity >= %s"
        )
    return _ORDER_SQL[name]


@in_transaction(message=OUTSIDE_A_TRANSACTION)
def lock_for_order(*, product_id: str, also: str = "NULL") -> Product:
    """The active product, its row locked until the order's transaction ends (taken after the
    account's lock, the order every redemption uses), or ProductUnavailable. `also` is an SQL
    expression over the product row `p` that the caller wants read by the same statement (one
    round trip on the hot path); its value is `product.also`. The caller owns what it reads."""
    with connection.cursor() as cursor:
        cursor.execute(_order_sql("lock").format(also=also), [product_id])
        row = cursor.fetchone()
    if row is None:
        raise ProductUnavailable(_("This product is not available."), product_id=product_id)
    pk, name, points_cost, stock, image, category, delivery_method, note_prompt, option_count, also_value = row
    product = Product(
        id=pk,
        name=name,
        points_cost=points_cost,
        stock_quantity=stock,
        image=image,
        category=category,
        is_active=True,
        delivery_method=delivery_method,
        note_prompt=note_prompt,
    )
    product._state.adding = False
    product.option_count = option_count  # type: ignore[attr-defined]  # read by product_option_for_order
    product.also = also_value  # type: ignore[attr-defined]
    return product


@in_transaction(message=OUTSIDE_A_TRANSACTION)
def option_for_order(*, product: Product, option_id: object) -> ProductOption | None:
    """The option the employee picked, checked against the locked product: required when the
    product has options, refused when it has none or the option is another product's."""
    if not getattr(product, "option_count", 0):
        if option_id not in (None, ""):
            raise InvalidOption(
                _("“%(product)s” has no options to choose from.") % {"product": product.name},
                option_id=str(option_id)[:255],
            )
        return None
    if not isinstance(option_id, str) or not option_id:
        raise InvalidOption(_("Choose an option of “%(product)s”.") % {"product": product.name}, product_id=product.pk)
    with connection.cursor() as cursor:
        cursor.execute(_order_sql("option"), [option_id, product.pk])
        row = cursor.fetchone()
    if row is None:
        raise InvalidOption(
            _("That option is not one of “%(product)s”'s.") % {"product": product.name}, option_id=option_id[:255]
        )
    # The id as stored: MySQL matched the one asked for in any letter case, and only the stored
    # spelling may reach the order.
    option = ProductOption(id=row[0], product=product, name=row[1], stock_quantity=row[2])
    option._state.adding = False
    return option


@in_transaction(message=OUTSIDE_A_TRANSACTION)
def take(*, product: Product, option: ProductOption | None = None, quantity: int = 1) -> None:
    """Take units of stock for an order, inside the caller's transaction.

    The update re-checks what the caller read (active, same price), so a product deactivated or
    repriced in the meantime is refused instead of sold at the old price. Taking the last unit is
    a catalog change (lists must stop offering it at once); other redemptions are not, so they
    never queue on the catalog version row (see shop.catalog_cache).
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if option is not None:
            cursor.execute(_order_sql("take_option"), [quantity, now, option.pk, product.pk, quantity])
            if not cursor.rowcount:
                raise OutOfStock(
                    _("“%(product)s” in %(option)s is out of stock; choose another option.")
                    % {"product": product.name, "option": option.name},
                    product_id=product.pk,
                    option_id=option.pk,
                )
        cursor.execute(_order_sql("take"), [quantity, now, product.pk, product.points_cost, quantity])
        taken = cursor.rowcount
    if taken:
        product.stock_quantity -= quantity
        if product.stock_quantity <= 0:
            _catalog_version_bump()
        return
    current = Product.objects.filter(pk=product.pk).values("is_active", "points_cost").first()
    if current is None or not current["is_active"]:
        raise ProductUnavailable(
            _("“%(product)s” is no longer available.") % {"product": product.name}, product_id=product.pk
        )
    if current["points_cost"] != product.points_cost:
        raise price_changed(product=product, expected=product.points_cost, current=current["points_cost"])
    raise OutOfStock(_("“%(product)s” is out of stock.") % {"product": product.name}, product_id=product.pk)


@in_transaction(message=OUTSIDE_A_TRANSACTION)
def give_back(*, product_id: str, option_id: str | None, quantity: int = 1) -> None:
    """Put the units of a cancelled order back, inside the cancellation's transaction (which has
    locked the product, after the account). A product that was sold out is a catalog change."""
    product = Product.objects.filter(pk=product_id).only("pk", "name", "stock_quantity").get()
    has_options = ProductOption.objects.filter(product=product).exists()
    with catalog_write(products=[product_id], changed=product.stock_quantity <= 0):
        if not has_options:
            Product.objects.filter(pk=product_id, stock_quantity__lte=STOCK_MAX - quantity).update(
                stock_quantity=F("stock_quantity") + quantity, updated_at=timezone.now()
            )
            return
        # The stock lives on the options now: the unit goes back to its option, if it had one
        # (an order from before the product had options has none to go back to), and the
        # product keeps their sum.
        if option_id is not None:
            ProductOption.objects.filter(pk=option_id, stock_quantity__lte=STOCK_MAX - quantity).update(
                stock_quantity=F("stock_quantity") + quantity, updated_at=timezone.now()
            )
        _product_stock_from_options(product)


@in_transaction(message=OUTSIDE_A_TRANSACTION)
def lock(*, product_id: str) -> None:
    """Lock a product row, active or not, inside a fulfilment step's transaction (the account
    first, when the step also moves points): cancellations and code hand-outs queue here."""
    list(_locked_products([product_id]).values_list("pk", flat=True))
