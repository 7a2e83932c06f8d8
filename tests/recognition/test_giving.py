"""Giving points to colleagues from a monthly allowance: the rules, the ledger, one-time keys,
moderation, and the check that gives, allowances and the ledger agree."""

import datetime

import pytest
from django.db import connection, transaction

from audit.models import AuditEntry
from awsomeshop.idempotency import IdempotencyKeyReused
from notifications.models import Notification
from points import ledger
from points.models import PointsBudget, PointsTransaction
from points.selectors import budget_used
from programme.selectors import ledger_problem_list
from recognition.exceptions import (
    AllowanceExceeded,
    InvalidModeration,
    InvalidRecognition,
    RecognitionHidden,
    SelfRecognition,
    UnknownColleague,
    UnknownRecognition,
)
from recognition.models import Allowance, AllowanceOverride, AllowancePolicy, CompanyValue, Credit, Give, Reaction
from recognition.selectors import allowance_state, feed_entries, person_summary, recognition_feed
from recognition.services import (
    recognition_add_points,
    recognition_give,
    recognition_hide,
    recognition_react,
)
from tests.factories import UserFactory
from tests.ledger import assert_ledger_consistent
from tests.recognition.giving import balance as _balance
from tests.recognition.giving import give as _give

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        name: UserFactory(email=f"{name}@example.com", first_name=name.capitalize())
        for name in ("ann", "bob", "cem", "dee")
    }


@pytest.fixture
def value(db):
    return CompanyValue.objects.get_or_create(name="Customer first")[0]


def test_a_give_moves_points_from_the_allowance_to_each_receiver_in_the_ledger(people):
    used_before = _budget_used()
    outcome = _give(people["ann"], [people["bob"], people["cem"]], points=15)

    assert _budget_used() == used_before  # paid from the allowance: HR's budgets are not touched

    assert _balance(people["bob"]) == _balance(people["cem"]) == 15
    assert _balance(people["ann"]) == 0  # the allowance is not spendable, nor is it a balance
    assert outcome.allowance_left == 100 - 30
    assert allowance_state(user_id=people["ann"].pk).given == 30
    rows = PointsTransaction.objects.filter(transaction_type="received").order_by("user_id")
    assert [(row.user_id, row.points_amount, row.awarded_by_id) for row in rows] == sorted(
        [(people["bob"].pk, 15, people["ann"].pk), (people["cem"].pk, 15, people["ann"].pk)]
    )
    assert rows[0].description == f"Recognition from {people['ann'].get_full_name()}: Customer first"
    assert Notification.objects.filter(recipient=people["bob"], kind="recognition_received").count() == 1
    assert AuditEntry.objects.filter(action="recognition.give").count() == 1
    assert_ledger_consistent()


def test_nobody_gives_past_their_allowance_and_a_refusal_writes_nothing(people):
    _give(people["ann"], [people["bob"]], points=50)
    _give(people["ann"], [people["cem"]], points=45)

    with pytest.raises(AllowanceExceeded) as refused:
        _give(people["ann"], [people["bob"], people["cem"]], points=3)

    assert refused.value.details == {"left": 5, "asked": 6}
    assert "5 points left to give this month" in refused.value.message
    assert Give.objects.count() == 2
    assert allowance_state(user_id=people["ann"].pk).given == 95
    assert _balance(people["bob"]) == 50
    assert_ledger_consistent()


def test_hr_sets_the_allowance_for_everyone_and_for_one_person(people):
    AllowancePolicy.objects.update_or_create(pk=1, defaults={"monthly_points": 20})
    AllowanceOverride.objects.create(user=people["bob"], monthly_points=200)

    with pytest.raises(AllowanceExceeded):
        _give(people["ann"], [people["cem"]], points=21)
    assert _give(people["bob"], [people["cem"]], points=50).allowance_left == 150

    AllowanceOverride.objects.filter(user=people["bob"]).update(monthly_points=40)
    with pytest.raises(AllowanceExceeded) as lowered:
        _give(people["bob"], [people["cem"]], points=1)
    assert lowered.value.details["left"] == 0  # 50 given already: lowering never goes negative


def test_the_allowance_is_per_month_and_does_not_roll_over(people, monkeypatch):
    _give(people["ann"], [people["bob"]], points=50)
    _give(people["ann"], [people["bob"]], points=50)
    next_month = datetime.datetime.now(tz=datetime.UTC).date().replace(day=28) + datetime.timedelta(days=5)
    monkeypatch.setattr("recognition.selectors.company_today", lambda: next_month)

    assert allowance_state(user_id=people["ann"].pk).left == 100  # not 100 + what was left
    _give(people["ann"], [people["bob"]], points=50)
    assert Allowance.objects.filter(user=people["ann"]).count() == 2


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"receivers": "self"}, SelfRecognition, "yourself"),
        ({"receivers": []}, InvalidRecognition, "at least one colleague"),
        ({"receivers": ["no-such-id"]}, UnknownColleague, "no active colleague"),
        ({"points": 0}, InvalidRecognition, "from 1 to 50"),
        ({"points": 51}, InvalidRecognition, "from 1 to 50"),
        ({"points": True}, InvalidRecognition, "whole number"),
        ({"points": "10"}, InvalidRecognition, "whole number"),
        ({"message": "   "}, InvalidRecognition, "Write a message"),
        ({"message": "x" * 1001}, InvalidRecognition, "at most 1000"),
        ({"message": "hi\u202eevil"}, InvalidRecognition, "cannot be printed"),
        ({"value": 999999}, InvalidRecognition, "company values"),
        ({"value": "Customer first"}, InvalidRecognition, "company values"),
        ({"value": "inactive"}, InvalidRecognition, "company values"),
        ({"receivers": "twenty-one"}, InvalidRecognition, "at most 20"),
    ],
)
def test_a_give_that_breaks_a_rule_says_which_and_changes_nothing(people, value, change, error, words):
    inactive = CompanyValue.objects.create(name="Old value", is_active=False)
    receivers = [people["bob"].pk]
    if change.get("receivers") == "self":
        receivers = [people["ann"].pk.upper()]  # the same person in any letter case
    elif change.get("receivers") == "twenty-one":
        receivers = [UserFactory().pk for _ in range(21)]
    elif "receivers" in change:
        receivers = change["receivers"]
    value_id = {"inactive": inactive.pk}.get(change.get("value"), change.get("value", value.pk))

    with pytest.raises(error) as refused:
        recognition_give(
            giver_id=people["ann"].pk,
            receiver_ids=receivers,
            points_each=change.get("points", 10),
            message=change.get("message", "Thanks!"),
            value_id=value_id,
        )

    assert words in refused.value.message
    assert Give.objects.count() == 0 and PointsTransaction.objects.count() == 0


def test_a_give_sent_twice_with_its_key_gives_once_and_another_give_under_it_is_refused(people):
    first = _give(people["ann"], [people["bob"]], points=10, client_key="give-1")
    again = _give(people["ann"], [people["bob"]], points=10, client_key="give-1")

    assert again.replayed and again.give.pk == first.give.pk
    assert _balance(people["bob"]) == 10
    with pytest.raises(IdempotencyKeyReused):
        _give(people["ann"], [people["bob"]], points=20, client_key="give-1")
    # Another person's key of the same spelling is theirs.
    assert not _give(people["cem"], [people["bob"]], points=10, client_key="give-1").replayed


def test_colleagues_add_points_to_a_recognition_from_their_own_allowance(people):
    outcome = _give(people["ann"], [people["bob"], people["cem"]], points=10)

    added = recognition_add_points(giver_id=people["dee"].pk, recognition_id=outcome.recognition.pk, points_each=5)

    assert added.allowance_left == 90  # 5 to each of two
    assert _balance(people["bob"]) == _balance(people["cem"]) == 15
    assert allowance_state(user_id=people["ann"].pk).given == 20
    with pytest.raises(SelfRecognition):
        recognition_add_points(giver_id=people["bob"].pk, recognition_id=outcome.recognition.pk, points_each=5)
    [entry] = feed_entries(recognition_feed(viewer_id=people["dee"].pk), viewer_id=people["dee"].pk)
    assert entry.total == 30 and entry.added == [(people["dee"], 5)]
    assert_ledger_consistent()


def test_private_recognitions_are_seen_only_by_giver_and_receivers(people):
    private = _give(people["ann"], [people["bob"]], is_public=False).recognition

    assert not recognition_feed(viewer_id=people["cem"].pk).filter(pk=private.pk).exists()
    assert recognition_feed(viewer_id=people["bob"].pk).filter(pk=private.pk).exists()
    with pytest.raises(UnknownRecognition):
        recognition_add_points(giver_id=people["cem"].pk, recognition_id=private.pk, points_each=5)
    with pytest.raises(UnknownRecognition):
        recognition_react(user_id=people["cem"].pk, recognition_id=private.pk, kind="heart")


def test_reactions_are_one_per_kind_and_person_and_can_be_taken_back(people):
    recognition = _give(people["ann"], [people["bob"]]).recognition

    for _ in range(2):
        recognition_react(user_id=people["cem"].pk, recognition_id=recognition.pk, kind="heart")
    recognition_react(user_id=people["dee"].pk, recognition_id=recognition.pk, kind="heart")
    assert Reaction.objects.filter(recognition=recognition).count() == 2
    recognition_react(user_id=people["cem"].pk, recognition_id=recognition.pk, kind="heart", on=False)
    assert Reaction.objects.filter(recognition=recognition).count() == 1
    with pytest.raises(InvalidRecognition):
        recognition_react(user_id=people["cem"].pk, recognition_id=recognition.pk, kind="<script>")


def test_hiding_a_recognition_takes_back_what_was_not_spent_and_tells_everyone(people, hr_user, give_points):
    give_points(people["dee"], 100)  # an award of HR's, whose budget hiding must not touch
    outcome = _give(people["ann"], [people["bob"], people["cem"]], points=30)
    recognition_add_points(giver_id=people["dee"].pk, recognition_id=outcome.recognition.pk, points_each=10)
    # Bob spends some: only what is left can be taken back.
    with transaction.atomic():
        ledger.post(user_id=people["bob"].pk, kind="redeemed", amount=35, description="spent", order_id=None)
    used_before = _budget_used()

    hidden = recognition_hide(recognition_id=outcome.recognition.pk, reason="Not appropriate", hidden_by_id=hr_user.pk)

    assert (hidden.taken_back, hidden.already_spent) == (40 + 5, 35)
    assert _balance(people["bob"]) == 0 and _balance(people["cem"]) == 0
    assert not recognition_feed(viewer_id=people["bob"].pk).exists()
    told = Notification.objects.filter(kind="recognition_hidden").values_list("recipient_id", flat=True)
    assert sorted(told) == sorted(people[name].pk for name in ("ann", "bob", "cem", "dee"))
    assert _budget_used() == used_before  # HR's budgets are not touched
    again = recognition_hide(recognition_id=outcome.recognition.pk, reason="Twice", hidden_by_id=hr_user.pk)
    assert again.replayed and PointsTransaction.objects.filter(transaction_type="reversed").count() == 3
    with pytest.raises(RecognitionHidden):
        recognition_add_points(giver_id=people["dee"].pk, recognition_id=outcome.recognition.pk, points_each=5)
    with pytest.raises(InvalidModeration):
        recognition_hide(recognition_id=outcome.recognition.pk, reason=" ", hidden_by_id=hr_user.pk)


def _budget_used() -> int:
    budget = PointsBudget(starts_on=datetime.date(2000, 1, 1), ends_on=datetime.date(2099, 12, 31), points=1)
    return budget_used(budget=budget)


def test_a_person_s_page_counts_what_they_received_and_gave(people):
    _give(people["ann"], [people["bob"], people["cem"]], points=10)
    _give(people["bob"], [people["ann"]], points=7)

    ann = person_summary(user_id=people["ann"].pk, viewer_id=people["dee"].pk)
    assert (ann.given_count, ann.given_points, ann.received_count, ann.received_points) == (1, 20, 1, 7)
    assert {r.giver_id for r in recognition_feed(viewer_id=people["dee"].pk, person_id=people["ann"].pk)} == {
        people["ann"].pk,
        people["bob"].pk,
    }


def test_mentions_of_colleagues_become_links_and_the_rest_stays_escaped_text(people):
    _give(people["ann"], [people["bob"]], message="With @cem and @nobody: <b>great</b> work.\nThanks @Dee.")

    [entry] = feed_entries(recognition_feed(viewer_id=people["ann"].pk), viewer_id=people["ann"].pk)

    html = str(entry.message_html)
    assert f'<a href="/recognition/people/{people["cem"].pk}/" class="mention">@cem</a>' in html
    assert f'/recognition/people/{people["dee"].pk}/" class="mention">@Dee</a>.' in html
    assert "@nobody" in html and "&lt;b&gt;great&lt;/b&gt;" in html and "<br>" in html


def test_the_ledger_check_finds_a_give_that_disagrees_with_its_allowance_or_its_rows(people):
    outcome = _give(people["ann"], [people["bob"]], points=10)
    assert ledger_problem_list() == []

    Allowance.objects.update(given=11)
    Credit.objects.update(points=9)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE recognition_gives SET total = 12 WHERE id = %s", [outcome.give.pk])

    found = {(problem.kind, problem.subject) for problem in ledger_problem_list()}
    assert ("allowance", str(outcome.give.allowance_id)) in found
    assert ("give", outcome.give.pk) in found
    assert ("credit", str(Credit.objects.get().pk)) in found
