"""Hire dates and birthdays from the user pool (the emulator over HTTP): `sync_cognito_users`
copies the configured attributes into the milestone dates; consent stays the employee's."""

import datetime

import pytest
from django.core.management import call_command

from audit.models import AuditEntry
from recognition.models import MilestoneDates

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated_pool(cognito_pool, settings):
    settings.COGNITO_HIRE_DATE_ATTRIBUTE = "custom:hire_date"
    settings.COGNITO_BIRTHDATE_ATTRIBUTE = "birthdate"
    cognito_pool.idp.add_custom_attributes(
        UserPoolId=cognito_pool.id, CustomAttributes=[{"Name": "hire_date", "AttributeDataType": "String"}]
    )
    return cognito_pool


def _dates(pool, email: str, **attributes) -> None:
    pool.idp.admin_update_user_attributes(
        UserPoolId=pool.id, Username=email, UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()]
    )


def test_the_sync_records_the_pool_s_dates_once_and_never_consents_for_anyone(dated_pool, caplog):
    emma = dated_pool.user_create("emma@example.com")
    kai = dated_pool.user_create("kai@example.com")
    _dates(dated_pool, "emma@example.com", **{"custom:hire_date": "2021-04-01", "birthdate": "1990-07-12"})
    _dates(dated_pool, "kai@example.com", **{"custom:hire_date": "next monday"})

    call_command("sync_cognito_users")
    entries = AuditEntry.objects.filter(action="recognition.milestone_dates").count()
    call_command("sync_cognito_users")

    dates = MilestoneDates.objects.get(user_id=emma)
    assert (dates.hired_on, dates.birthday) == (datetime.date(2021, 4, 1), datetime.date(1990, 7, 12))
    assert not dates.birthday_shared
    assert not MilestoneDates.objects.filter(user_id=kai).exists()
    assert "not a past date like 2021-04-01" in caplog.text
    assert entries == 1 and AuditEntry.objects.filter(action="recognition.milestone_dates").count() == 1


def test_without_the_settings_the_pool_s_attributes_are_left_alone(cognito_pool):
    cognito_pool.user_create("emma@example.com")
    _dates(cognito_pool, "emma@example.com", birthdate="1990-07-12")

    call_command("sync_cognito_users")

    assert not MilestoneDates.objects.exists()
