"""awsomeshop.text.text_clean: its refusals are whole sentences of the caller's kind of text, read
in the active language, while the field they name stays a machine name."""

import pytest
from django.utils.translation import gettext_lazy

from awsomeshop.exceptions import ShopError
from awsomeshop.text import text_clean
from orders.services import ADDRESS, PICKUP_LOCATION
from shop.services import OPTION_NAME


class Refused(ShopError):
    status = 400


@pytest.mark.parametrize(
    ("kind", "value", "message", "field"),
    [
        (ADDRESS, 42, "The address must be text.", "address"),
        (ADDRESS, "a\u202eb", "The address contains characters that cannot be printed.", "address"),
        (PICKUP_LOCATION, "x" * 11, "The pickup location can be at most 10 characters.", "pickup location"),
        (OPTION_NAME, "x" * 1001, "The option's name can be at most 1000 characters.", "option's name"),
    ],
)
def test_text_clean_refuses_in_the_kinds_own_sentence_naming_its_field(kind, value, message, field):
    most = 1000 if kind is OPTION_NAME else 10
    with pytest.raises(Refused) as refusal:
        text_clean(value, what=kind, max_length=most, invalid=Refused, multiline=True)
    assert refusal.value.message == message
    assert type(refusal.value.message) is str  # not a lazy string: it is read as JSON and in messages
    assert refusal.value.details == {"field": field}


def test_text_clean_with_only_a_translated_noun_lets_the_noun_stand_alone():
    with pytest.raises(Refused) as refusal:
        text_clean("x" * 6, what=gettext_lazy("remark"), max_length=5, invalid=Refused)
    assert refusal.value.message == "remark: can be at most 5 characters."
    assert refusal.value.details == {"field": "remark"}


def test_text_clean_keeps_what_it_accepts():
    assert text_clean(None, what=ADDRESS, max_length=5, invalid=Refused) == ""
    assert text_clean(" a\r\nb ", what=ADDRESS, max_length=5, invalid=Refused, multiline=True) == "a\nb"


@pytest.fixture
def german_address_sentence(monkeypatch):
    """One German sentence for the test (the German .po file is filled in later)."""
    from django.utils.translation import trans_real

    german = trans_real.translation("de")
    known = german.gettext
    words = {"The address must be text.": "Die Adresse muss Text sein."}
    monkeypatch.setattr(german, "gettext", lambda message: words.get(message) or known(message))


def test_text_clean_refuses_in_the_language_active_when_it_refuses(german_address_sentence):
    from django.utils import translation

    with translation.override("de"), pytest.raises(Refused) as refusal:
        text_clean(7, what=ADDRESS, max_length=5, invalid=Refused)
    assert (refusal.value.message, refusal.value.details) == ("Die Adresse muss Text sein.", {"field": "address"})
    with pytest.raises(Refused, match="^The address must be text.$"):
        text_clean(7, what=ADDRESS, max_length=5, invalid=Refused)
