from awsomeshop.exceptions import ShopError


class ProductUnavailable(ShopError):
    """The product does not exist, is no longer offered, or changed while the user looked at it."""

    code = "product_unavailable"


class OutOfStock(ShopError):
    code = "out_of_stock"
