"""The read-replica switch (off by default): which reads may go to a replica, and which must not."""

import warnings

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import override_settings

from awsomeshop.db_router import ReadReplicaRouter, wrote_var
from points.models import PointsTransaction
from shop.models import Product

router = ReadReplicaRouter()


@pytest.fixture
def with_a_replica(settings):
    # Only the router reads DATABASES here (no query goes to "replica"), so Django's warning about
    # overriding it does not apply.
    databases = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Overriding setting DATABASES")
        with override_settings(DATABASES=databases):
            yield


def test_without_a_replica_every_read_goes_where_django_sends_it():
    assert router.db_for_read(Product) is None
    assert router.db_for_write(Product) == "default"


def test_reads_outside_a_transaction_go_to_the_replica(with_a_replica):
    token = wrote_var.set(False)
    try:
        assert router.db_for_read(Product) == "replica"
        assert router.db_for_read(PointsTransaction) == "replica"
    finally:
        wrote_var.reset(token)


@pytest.mark.django_db(transaction=True)
def test_reads_in_a_transaction_or_after_a_write_or_of_sessions_go_to_the_primary(
    with_a_replica, employee, give_points
):
    token = wrote_var.set(False)
    try:
        with transaction.atomic():
            assert router.db_for_read(Product) == "default"
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(Product) == "replica"
        give_points(employee, 10)  # a service committed: the rest of the request reads the primary
        assert router.db_for_read(Product) == "default"
        assert router.db_for_write(Product) == "default"
        assert router.allow_migrate("replica", "shop") is False
    finally:
        wrote_var.reset(token)
