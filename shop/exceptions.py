from awsomeshop.exceptions import ShopError


class ProductUnavailable(ShopError):
    """The product does not exist, is no longer offered, or changed while the user looked at it."""

    code = "product_unavailable"
    status = 404


class OutOfStock(ShopError):
    code = "out_of_stock"
    status = 409


class ProductChanged(ShopError):
    """The product changed between what the user saw and the redemption."""

    code = "product_changed"
    status = 409


class PriceChanged(ProductChanged):
    """The price is not the one the user confirmed: nothing was charged; ask again."""

    code = "price_changed"
    status = 409


class StockChanged(ShopError):
    """An edit of the stock was based on a level that redemptions have changed since."""

    code = "stock_changed"
    status = 409


class ImageStorageUnavailable(ShopError):
    """The image store (S3) did not take the file."""

    code = "image_storage_unavailable"
    status = 503


class StockFromOptions(ShopError):
    """The product's stock is the sum of its options' stock and is set on each option."""

    code = "stock_from_options"
    status = 409


class InvalidOption(ShopError):
    """The option asked for is missing, unknown, or not the product's; or an option's name is."""

    code = "invalid_option"
    status = 400


class InvalidCategory(ShopError):
    code = "invalid_category"
    status = 400


class WishlistFull(ShopError):
    code = "wishlist_full"
    status = 409
