"""A product saved while its category is renamed ends in the new name (MariaDB)."""

import threading

import pytest

from shop import services
from shop.models import Category, Product
from shop.services import category_create, category_rename, product_update
from tests.factories import ProductFactory

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


def test_a_product_saved_while_its_category_is_renamed_ends_in_the_new_name(monkeypatch):
    tech = category_create(name="Tech")
    category_create(name="Home")
    product = ProductFactory(category="Home")
    resolve = services.category_for_product

    def resolve_then_rename(name, **kwargs):
        found = resolve(name, **kwargs)
        renamer = threading.Thread(target=lambda: category_rename(category_id=tech.pk, name="Technology"))
        renamer.start()
        renamer.join(timeout=2)  # with the category locked, the rename waits for this edit
        return found

    monkeypatch.setattr(services, "category_for_product", resolve_then_rename)
    product_update(product_id=product.pk, changes={"category": "Tech"})
    monkeypatch.undo()
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(timeout=10)
    assert Product.objects.get(pk=product.pk).category == "Technology"
    assert set(Category.objects.values_list("name", flat=True)) == {"Home", "Technology"}
