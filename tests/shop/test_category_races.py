"""Two saves of one category at once on MariaDB: one is made, the other told it exists (no 500)."""

import pytest

from shop.exceptions import InvalidCategory
from shop.models import Category
from shop.services import category_create, category_rename
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.mysql_only, pytest.mark.django_db(transaction=True)]


def test_eight_saves_of_one_new_category_make_one_and_refuse_the_rest():
    outcomes = run_concurrently(category_create, [{"name": name} for name in ["Tech", "tech", "TECH", "Téch"] * 2])
    assert sum(isinstance(o, Category) for o in outcomes) == 1
    assert all(isinstance(o, InvalidCategory) for o in outcomes if not isinstance(o, Category)), outcomes
    assert Category.objects.count() == 1


def test_two_renames_to_one_name_rename_one():
    first, second = category_create(name="A"), category_create(name="B")
    outcomes = run_concurrently(
        category_rename, [{"category_id": first.pk, "name": "Same"}, {"category_id": second.pk, "name": "same"}]
    )
    assert sum(isinstance(o, Category) for o in outcomes) == 1
    assert sum(isinstance(o, InvalidCategory) for o in outcomes) == 1, outcomes
