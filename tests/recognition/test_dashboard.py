"""Recognition on HR's programme dashboard: per month, per value, top givers and receivers, who
received nothing in 90 days; the same in the CSV files, formula-safe; none of it for a catalog
manager."""

import csv
import io

import pytest
from django.urls import reverse

from recognition.models import CompanyValue
from recognition.services import recognition_give, recognition_hide
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("admin:programme_dashboard")


@pytest.fixture
def people(db):
    return [UserFactory(email=f"{name}@example.com") for name in ("ann", "bob", "cem", "dee")]


@pytest.fixture
def recognitions(people, hr_staff):
    kind = CompanyValue.objects.get_or_create(name='=HYPERLINK("http://evil")')[0]
    first = CompanyValue.objects.get_or_create(name="Customer first")[0]
    ann, bob, cem, _dee = people

    def give(giver, receivers, points, value):
        return recognition_give(
            giver_id=giver.pk,
            receiver_ids=[r.pk for r in receivers],
            points_each=points,
            message="Thanks",
            value_id=value.pk,
        ).recognition

    give(ann, [bob, cem], 10, first)
    give(bob, [ann], 30, kind)
    hidden = give(cem, [ann], 40, first)
    recognition_hide(recognition_id=hidden.pk, reason="Spam", hidden_by_id=hr_staff.pk)
    return people


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_hr_sees_recognition_per_month_value_giver_and_receiver(client, hr_staff, recognitions):
    client.force_login(hr_staff)

    page = client.get(DASHBOARD)

    assert page.status_code == 200
    rec = page.context["figures"].recognition
    assert rec.total("recognitions") == 2 and rec.total("points_given") == 50  # the hidden one left out
    assert [(r["recognition__value__name"], r["points"]) for r in rec.by_value] == [
        ('=HYPERLINK("http://evil")', 30),
        ("Customer first", 20),
    ]
    assert [(r["giver__email"], r["points"]) for r in rec.top_givers] == [
        ("bob@example.com", 30),
        ("ann@example.com", 20),
    ]
    assert rec.top_receivers[0]["receiver__email"] == "ann@example.com"
    unrecognised = {person["email"] for person in rec.unrecognised_first}
    assert "dee@example.com" in unrecognised and "ann@example.com" not in unrecognised
    assert rec.unrecognised_count == len(unrecognised)
    assert 'id="recognition-months-table"' in page.text


def test_the_recognition_csv_files_match_and_cannot_run_formulas(client, hr_staff, recognitions):
    client.force_login(hr_staff)

    values = _csv(client.get(DASHBOARD, {"export": "values"}))
    months = _csv(client.get(DASHBOARD, {"export": "recognition"}))
    nobody = _csv(client.get(DASHBOARD, {"export": "unrecognised"}))

    assert values[0] == ["value", "recognitions", "points"]
    assert values[1][0].startswith("'=HYPERLINK")
    assert sum(int(row[2]) for row in months[1:]) == 50
    assert "dee@example.com" in [row[1] for row in nobody[1:]]


def test_a_catalog_manager_sees_no_recognition_figures(client, catalog_manager, recognitions):
    client.force_login(catalog_manager)

    page = client.get(DASHBOARD)
    assert "recognition-months-table" not in page.text
    assert page.context["figures"].recognition is None  # not even computed for them
    assert client.get(DASHBOARD, {"export": "receivers"}).status_code == 403
