"""HR's side: values, allowances and moderation in the admin, and who may do which."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from points.models import UserPoints
from recognition.models import AllowanceOverride, AllowancePolicy, CompanyValue, Recognition
from recognition.services import recognition_give
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def recognition(db):
    giver, receiver = UserFactory(email="ann@example.com"), UserFactory(email="bob@example.com")
    value = CompanyValue.objects.get_or_create(name="Customer first")[0]
    return recognition_give(
        giver_id=giver.pk, receiver_ids=[receiver.pk], points_each=20, message="Thanks!", value_id=value.pk
    ).recognition


def test_hr_hides_a_recognition_with_a_reason_once_and_its_points_go_back(client, hr_staff, recognition):
    client.force_login(hr_staff)
    url = reverse("admin:recognition_recognition_hide", args=[recognition.pk])
    assert (
        "Hide and take back" in client.get(reverse("admin:recognition_recognition_change", args=[recognition.pk])).text
    )

    missing = client.post(url, {"reason": "", "confirm": "on"})
    assert missing.status_code == 200 and "This field is required" in missing.text
    unconfirmed = client.post(url, {"reason": "Off topic"})
    assert unconfirmed.status_code == 200 and not Recognition.objects.get(pk=recognition.pk).is_hidden

    first = client.post(url, {"reason": "Off topic", "confirm": "on"}, follow=True)
    again = client.post(url, {"reason": "Off topic", "confirm": "on"}, follow=True)

    assert "20 points were taken back" in first.text
    assert "hidden already" in again.text
    receiver = recognition.receiver_rows.get().user_id
    assert UserPoints.objects.get(pk=receiver).current_points == 0
    assert AuditEntry.objects.filter(action="recognition.hide").count() == 1


def test_only_hr_moderates(client, catalog_manager, employee, recognition):
    url = reverse("admin:recognition_recognition_hide", args=[recognition.pk])
    for user in (catalog_manager, employee):
        client.force_login(user)
        response = client.post(url, {"reason": "Mine now", "confirm": "on"})
        assert response.status_code in (302, 403)
        assert not Recognition.objects.get(pk=recognition.pk).is_hidden


def test_hr_keeps_values_and_allowances_through_the_services(client, hr_staff):
    client.force_login(hr_staff)
    person = UserFactory(email="manager@example.com")

    client.post(
        reverse("admin:recognition_companyvalue_add"),
        {"name": "Be kind", "description": "", "is_active": "on", "position": 5},
    )
    duplicate = client.post(reverse("admin:recognition_companyvalue_add"), {"name": "be KIND", "position": 6})
    client.post(
        reverse("admin:recognition_allowancepolicy_change", args=[1]), {"monthly_points": 250, "most_per_receiver": 25}
    )
    client.post(
        reverse("admin:recognition_allowanceoverride_add"),
        {"user": person.pk, "monthly_points": 500, "note": "Team lead"},
    )

    assert CompanyValue.objects.filter(name__iexact="be kind").count() == 1
    assert "already" in duplicate.text
    assert (AllowancePolicy.objects.get().monthly_points, AllowancePolicy.objects.get().most_per_receiver) == (250, 25)
    assert AllowanceOverride.objects.get(user=person).monthly_points == 500
    assert {"recognition.value_save", "recognition.allowance_policy", "recognition.allowance_override"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )
    assert client.get(reverse("admin:recognition_allowancepolicy_changelist")).status_code == 302
    assert (
        client.get(reverse("admin:recognition_companyvalue_delete", args=[CompanyValue.objects.first().pk])).status_code
        == 403
    )


def test_a_catalog_manager_cannot_see_recognition_settings(client, catalog_manager):
    client.force_login(catalog_manager)

    assert client.get(reverse("admin:recognition_recognition_changelist")).status_code == 403
    assert client.get(reverse("admin:recognition_allowancepolicy_change", args=[1])).status_code == 403
    AllowancePolicy.objects.all().delete()
    assert client.get(reverse("admin:recognition_allowancepolicy_changelist")).status_code == 403
    assert not AllowancePolicy.objects.exists()  # looking at the list changes nothing


def test_hr_imports_hire_dates_and_birthdays_all_or_nothing(client, hr_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recognition.models import MilestoneDates

    ann, bob = UserFactory(email="ann@example.com"), UserFactory(email="bob@example.com")
    client.force_login(hr_staff)
    url = reverse("admin:recognition_milestonedates_import")

    def upload(text):
        return client.post(url, {"file": SimpleUploadedFile("dates.csv", text.encode())}, follow=True)

    bad = upload(
        "email,hired_on,birthday\nann@example.com,2021-04-01,\nnobody@example.com,2020-01-01,\nbob@example.com,next week,\n"
    )
    assert "Nothing was imported" in bad.text and "line 3" in bad.text and "line 4" in bad.text
    assert not MilestoneDates.objects.exists()

    good = upload("ANN@example.com;2021-04-01;1990-07-12\nbob@example.com;2019-10-15;\n")
    assert "Saved the dates of 2 employees" in good.text
    assert str(MilestoneDates.objects.get(user=ann).hired_on) == "2021-04-01"
    assert MilestoneDates.objects.get(user=bob).birthday is None
    assert not MilestoneDates.objects.get(user=ann).birthday_shared  # only the employee agrees to that


def test_an_employee_cannot_open_hr_s_recognition_admin(client, employee):
    client.force_login(employee)
    assert client.get(reverse("admin:recognition_milestonedates_import")).status_code == 302  # to sign in


def test_hr_opens_and_hides_a_milestone_which_has_no_giver(client, hr_staff):
    """A milestone (AWSomeShop's own, no giver) opens on the hide page like any recognition."""
    from django.utils import timezone

    from recognition.milestones import milestones_award
    from recognition.models import MilestoneDates, MilestoneRule

    today = timezone.localdate()
    MilestoneRule.objects.update_or_create(kind="service", years=1, defaults={"points": 100})
    person = UserFactory(email="carl@example.com", first_name="Carl")
    MilestoneDates.objects.create(user=person, hired_on=today.replace(year=today.year - 1), birthday=None)
    milestones_award(today=today)
    milestone = Recognition.objects.get(giver=None)
    client.force_login(hr_staff)
    url = reverse("admin:recognition_recognition_hide", args=[milestone.pk])

    page = client.get(url)

    assert page.status_code == 200 and "AWSomeShop" in page.text
    hidden = client.post(url, {"reason": "Wrong date", "confirm": "on"}, follow=True)
    assert hidden.status_code == 200 and Recognition.objects.get(pk=milestone.pk).is_hidden
