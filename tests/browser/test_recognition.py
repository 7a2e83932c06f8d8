"""Browser walks of recognition on desktop and phone: giving to a colleague, the feed and its
filter, reacting, adding points, a person's page; axe-core finds nothing serious on any of them."""

import re

import pytest
from playwright.sync_api import expect

from points.models import UserPoints
from recognition.models import CompanyValue, Give
from recognition.services import recognition_give
from tests.browser.walks import no_sideways_scroll, serious_findings, signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_employee_recognises_a_colleague_and_sees_it_in_the_feed(browser, live_server, employee, viewport):
    colleague = UserFactory(email="bob@example.com", first_name="Bob", last_name="Baker")
    value = CompanyValue.objects.get_or_create(name="Customer first")[0]
    CompanyValue.objects.get_or_create(name="Own it")
    context, page = signed_in(browser, live_server, employee, viewport, path="/recognition/")
    expect(page.get_by_test_id("allowance")).to_contain_text("100 of 100 points")
    assert serious_findings(page) == []

    page.get_by_role("link", name="Recognise a colleague").first.click()
    page.get_by_label("Who do you want to thank?").select_option(colleague.pk)
    page.get_by_label("Which value did they show?").select_option(str(value.pk))
    page.get_by_label("Points for each of them").fill("15")
    page.get_by_label("Your message").fill("Thanks @bob for the customer demo!")
    assert serious_findings(page) == []
    page.get_by_role("button", name="Send recognition").dblclick()

    expect(page.get_by_text("You have 85 points left to give this month")).to_be_visible()
    card = page.get_by_test_id("recognition")
    expect(card).to_contain_text("recognised Bob Baker")
    expect(card.get_by_role("link", name="@bob")).to_have_attribute("href", f"/recognition/people/{colleague.pk}/")
    assert Give.objects.count() == 1 and UserPoints.objects.get(pk=colleague.pk).current_points == 15
    assert no_sideways_scroll(page)

    page.get_by_role("link", name="← All recognition").click()
    expect(page.get_by_test_id("recognition")).to_have_count(1)
    page.get_by_label("Value").select_option(label="Own it")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("feed-empty")).to_be_visible()
    assert serious_findings(page) == []
    context.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_colleague_reacts_and_adds_points_and_opens_a_person_s_page(browser, live_server, employee, viewport):
    giver = UserFactory(email="ann@example.com", first_name="Ann", last_name="Archer")
    receiver = UserFactory(email="bob@example.com", first_name="Bob", last_name="Baker")
    value = CompanyValue.objects.get_or_create(name="Better together")[0]
    recognition_give(
        giver_id=giver.pk,
        receiver_ids=[receiver.pk],
        points_each=10,
        message="Great pairing session",
        value_id=value.pk,
    )
    context, page = signed_in(browser, live_server, employee, viewport, path="/recognition/")

    card = page.get_by_test_id("recognition")
    card.get_by_test_id("reaction-applause").click()
    expect(page.get_by_test_id("reaction-applause")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("reaction-applause")).to_contain_text("1")

    page.get_by_test_id("recognition").get_by_role("link", name=re.compile(r"\d{4}")).click()
    page.get_by_label("Add points for each receiver").fill("5")
    page.get_by_role("button", name="Add points").click()
    expect(page.get_by_text("Points added. You have 95 points left")).to_be_visible()
    expect(page.get_by_test_id("recognition")).to_contain_text("Ann Archer")
    expect(page.get_by_test_id("recognition")).to_contain_text("added +5")
    assert serious_findings(page) == []

    page.get_by_test_id("recognition").get_by_role("link", name="Bob Baker").click()
    expect(page.get_by_test_id("person-summary")).to_contain_text("Received 1 recognition (15 points)")
    assert serious_findings(page) == []
    assert no_sideways_scroll(page)
    context.close()
