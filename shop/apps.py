from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        from points.signals import balance_credited

        from .wishlist import on_balance_credited

        # A credit that brings a wished product within the balance tells its wisher.
        balance_credited.connect(on_balance_credited, dispatch_uid="shop.wishlist.on_balance_credited")
