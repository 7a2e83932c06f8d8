"""An admin action posted with ids that are not ids (`_selected_action=abc`, a bad `index`) is
answered with the change list and a message, never a 500, and runs on nothing (issue 26's attack:
the suppression list's "lift" and the outbox's "send again" answered 500)."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ODD_IDS = [["abc"], ["1e3", "-"], ["\x00"], ["9" * 40]]


def actions():
    request = RequestFactory().get("/")
    request.user = UserFactory.build(is_superuser=True, is_staff=True, is_active=True)
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.get_actions(request):
            yield pytest.param(model, name, id=f"{model._meta.app_label}.{model._meta.model_name}.{name}")


@pytest.mark.parametrize(("model", "action"), list(actions()))
@pytest.mark.parametrize("ids", ODD_IDS, ids=["letters", "not-numbers", "nul", "huge"])
def test_an_action_on_ids_that_are_not_ids_changes_nothing_and_is_no_500(superuser_client, model, action, ids):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    response = superuser_client.post(url, {"action": action, "_selected_action": ids}, follow=True)

    assert response.status_code == 200, (url, action, ids)
    if not any(admin.site._registry[model]._is_an_id(i) for i in ids):
        # Not one id of this model (a string key takes `abc`, and finds no row: nothing changes).
        assert [str(m) for m in response.context["messages"]] == [
            "Items must be selected in order to perform actions on them. No items have been changed."
        ]


@pytest.mark.parametrize("index", ["x", "", "99"])
def test_a_bad_action_index_is_no_500(superuser_client, index):
    url = reverse("admin:notifications_emailsuppression_changelist")

    response = superuser_client.post(url, {"action": "lift", "index": index, "_selected_action": ["1"]}, follow=True)

    assert response.status_code == 200


def test_select_all_with_only_ids_that_are_not_ids_runs_nothing(client, hr_staff):
    from notifications.models import Notification
    from tests.factories import UserFactory

    someone = UserFactory()
    Notification.objects.create(
        recipient=someone, kind="award", topic="points", title="t", body="b", link="/", email_status="failed"
    )
    client.force_login(hr_staff)
    url = reverse("admin:notifications_notification_changelist")

    response = client.post(url, {"action": "give_up", "_selected_action": ["abc"], "select_across": "1"}, follow=True)

    assert [str(m) for m in response.context["messages"]] == [
        "Items must be selected in order to perform actions on them. No items have been changed."
    ]
    assert Notification.objects.get().email_status == "failed"


@pytest.mark.parametrize("select_across", ["0", "1"])
def test_every_action_of_the_superusers_list_runs_on_a_real_row_without_a_500(superuser_client, select_across):
    """The library's own actions too: axes' "clean up expired attempts" answered 500 always."""
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.create(
        username="someone@example.com", ip_address="10.0.0.1", user_agent="x", failures_since_start=1
    )
    url = reverse("admin:axes_accessattempt_changelist")
    request = RequestFactory().get("/")
    request.user = UserFactory.build(is_superuser=True, is_staff=True, is_active=True)
    for action in admin.site._registry[AccessAttempt].get_actions(request):
        if action == "delete_selected":
            continue
        data = {"action": action, "_selected_action": [attempt.pk], "select_across": select_across}
        assert superuser_client.post(url, data, follow=True).status_code == 200, action
