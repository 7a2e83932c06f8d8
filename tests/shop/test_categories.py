"""Categories are a managed list: unique whatever their case, chosen in the product form, renamed
and merged by a superuser with the products following; `products.category` keeps the name."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from shop.exceptions import InvalidCategory
from shop.models import Category, Product
from shop.services import category_create, category_merge, category_rename, product_create, product_update
from tests.factories import ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("again", ["home & office", "HOME &  OFFICE", " Home & Office ", "Hômé & Office"])
def test_a_category_differing_only_in_case_accents_or_spaces_is_the_same_one(again):
    category_create(name="Home & Office")
    with pytest.raises(InvalidCategory, match="There is a category “Home & Office” already."):
        category_create(name=again)
    assert Category.objects.count() == 1


def test_a_product_takes_the_lists_spelling_and_never_starts_a_category():
    category_create(name="Home & Office")
    product = product_create(name="Lamp", points_cost=10, category="home & office")
    assert product.category == "Home & Office"
    with pytest.raises(InvalidCategory, match="not one of the categories"):
        product_create(name="Chair", points_cost=10, category="Garden")
    with pytest.raises(InvalidCategory):
        product_update(product_id=product.pk, changes={"category": "Garden"})
    assert not Product.objects.filter(name="Chair").exists()


def test_an_import_adds_its_categories_to_the_list_once():
    ProductFactory(category="Tech")
    ProductFactory(category="tech")
    assert list(Category.objects.values_list("name", flat=True)) == ["Tech"]
    assert set(Product.objects.values_list("category", flat=True)) == {"Tech"}


def test_renaming_moves_the_products_and_is_audited():
    tech = category_create(name="Tech")
    ProductFactory(category="Tech")
    category_rename(category_id=tech.pk, name="Technology")
    assert set(Product.objects.values_list("category", flat=True)) == {"Technology"}
    entry = AuditEntry.objects.get(action="shop.category_change")
    assert entry.before == {"name": "Tech"} and entry.after == {"name": "Technology", "products": 1}
    category_create(name="Books")
    with pytest.raises(InvalidCategory, match="merge into it instead"):
        category_rename(category_id=tech.pk, name="books")


def test_merging_moves_every_product_and_leaves_one_category():
    ProductFactory(category="Wellbeing")
    ProductFactory(category="Health")
    ProductFactory(category="Fitness")
    into = Category.objects.get(name="Wellbeing")
    others = list(Category.objects.exclude(pk=into.pk).values_list("pk", flat=True))
    assert category_merge(category_ids=others, into_id=into.pk) == 2
    assert list(Category.objects.values_list("name", flat=True)) == ["Wellbeing"]
    assert set(Product.objects.values_list("category", flat=True)) == {"Wellbeing"}
    with pytest.raises(InvalidCategory):
        category_merge(category_ids=[into.pk], into_id=into.pk)


def test_the_product_form_offers_the_list_and_refuses_anything_else(client, catalog_manager):
    category_create(name="Home & Office")
    client.force_login(catalog_manager)
    add = reverse("admin:shop_product_add")
    page = client.get(add).content.decode()
    assert '<option value="Home &amp; Office">Home &amp; Office</option>' in page
    form = {"name": "Lamp", "points_cost": "10", "stock_quantity": "1", "delivery_method": "shipped", "is_active": "on"}
    refused = client.post(add, {**form, "category": "home & office typo"})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert refused.context["adminform"].form["name"].value() == "Lamp"
    assert client.post(add, {**form, "category": "Home & Office"}).status_code == 302
    assert Product.objects.get(name="Lamp").category == "Home & Office"


def test_catalog_managers_add_categories_and_only_a_superuser_renames_or_merges(client, catalog_manager):
    client.force_login(catalog_manager)
    assert client.post(reverse("admin:shop_category_add"), {"name": "Garden"}).status_code == 302
    refused = client.post(reverse("admin:shop_category_add"), {"name": "garden"}, follow=True)
    assert "There is a category “Garden” already." in refused.content.decode()
    assert Category.objects.count() == 1
    garden = Category.objects.get()
    assert client.post(reverse("admin:shop_category_change", args=[garden.pk]), {"name": "Yard"}).status_code == 403
    root = Client()
    root.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    assert root.post(reverse("admin:shop_category_change", args=[garden.pk]), {"name": "Yard"}).status_code == 302
    assert Category.objects.get().name == "Yard"


def test_the_merge_form_offers_only_the_selected_categories_and_presets_none(client):
    from shop.services import category_create

    apparel, mugs, cups = (category_create(name=name) for name in ("Apparel", "Mugs", "Cups"))
    ProductFactory(category="Cups")
    root = Client()
    root.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    picked = {"action": "merge", "_selected_action": [mugs.pk, cups.pk]}

    page = root.post(reverse("admin:shop_category_changelist"), picked)
    unchosen = root.post(reverse("admin:shop_category_changelist"), {**picked, "apply": "1", "into": ""})
    elsewhere = root.post(reverse("admin:shop_category_changelist"), {**picked, "apply": "1", "into": apparel.pk})

    choices = page.content.decode().split("<select", 1)[1].split("</select>", 1)[0]
    assert "Apparel" not in choices and "Mugs" in choices and "Cups" in choices
    assert 'value="" selected>Choose the category to keep' in choices  # nothing real is preset
    assert "This field is required" in unchosen.content.decode()
    assert "Select a valid choice" in elsewhere.content.decode()
    assert Category.objects.count() == 3
