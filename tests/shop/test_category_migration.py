"""The categories migration builds the list from the products and gives every product the list's
exact spelling."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_migration_tidies_every_spelling_into_the_list():
    executor = MigrationExecutor(connection)
    executor.migrate([("shop", "0008_product_search_text")])
    old = executor.loader.project_state([("shop", "0008_product_search_text")]).apps
    Product = old.get_model("shop", "Product")
    for i, category in enumerate(["Home  &  Office", "home & office", "Home & Office", " Garden", "Garden", ""]):
        Product.objects.create(id=f"p{i}", name=f"P{i}", points_cost=1, category=category)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    from shop.models import Category
    from shop.models import Product as Current

    assert sorted(Category.objects.values_list("name", flat=True)) == ["Garden", "Home & Office"]
    assert sorted(Current.objects.values_list("category", flat=True)) == [
        "",
        "Garden",
        "Garden",
        "Home & Office",
        "Home & Office",
        "Home & Office",
    ]
