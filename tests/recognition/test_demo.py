"""The demo's month of recognition: given through the services, once however often it is seeded."""

import pytest
from django.core.management import call_command

from recognition.models import Give, MilestoneAward, Reaction, Recognition
from tests.ledger import assert_ledger_consistent

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_month_of_recognition_and_a_milestone_once():
    call_command("seed_demo")
    counts = (Recognition.objects.count(), Give.objects.count(), Reaction.objects.count())
    call_command("seed_demo")

    assert (Recognition.objects.count(), Give.objects.count(), Reaction.objects.count()) == counts
    assert Recognition.objects.filter(milestone="").count() == 7
    assert Give.objects.filter(added=True).count() == 1
    assert MilestoneAward.objects.filter(key="service-1", user__email="colleague@awsomeshop.local").count() == 1
    assert Recognition.objects.filter(milestone="").values("value").distinct().count() == 4
    assert_ledger_consistent()
