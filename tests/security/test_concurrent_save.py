"""The admin runs a save again only when a unique key refused it (a double submit); any other
refusal of the database (a foreign key, a CHECK) is a bug to see, never turned into a message."""

import pytest
from django.contrib.auth.admin import GroupAdmin
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _root() -> Client:
    client = Client()
    client.force_login(UserFactory(email="root@example.com", is_staff=True, is_superuser=True))
    return client


def test_an_integrity_error_other_than_a_duplicate_key_is_not_hidden(monkeypatch):
    calls = []

    def refused(self, request, obj, form, change):
        calls.append(1)
        raise IntegrityError(1452, "Cannot add or update a child row: a foreign key constraint fails")

    monkeypatch.setattr(GroupAdmin, "save_model", refused)

    with pytest.raises(IntegrityError):
        _root().post(reverse("admin:auth_group_add"), {"name": "Reviewers"})
    assert calls == [1]


def test_a_duplicate_key_is_saved_again_and_answered_by_the_form(monkeypatch):
    calls = []
    original = GroupAdmin.save_model

    def first_one_loses_the_race(self, request, obj, form, change):
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError(1062, "Duplicate entry 'Reviewers' for key 'name'")
        return original(self, request, obj, form, change)

    monkeypatch.setattr(GroupAdmin, "save_model", first_one_loses_the_race)

    response = _root().post(reverse("admin:auth_group_add"), {"name": "Reviewers"})

    assert response.status_code == 302
    assert calls == [1, 1]
