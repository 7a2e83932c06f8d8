"""A notification's words, kept as English sentences with their values and read in the reader's
language: the portal's list in the language of the page, the e-mail in the recipient's
(accounts.languages.language_of). So a notification written while someone else acted (HR's award,
a nightly job) still reaches each person in their own language, and switching language switches
the list too.

A sentence is marked for translation where it is written: `words(gettext_noop("..."), name=...)`.
Values are kept as what they are and written when read: whole numbers grouped as the language
groups them, days and moments in its format (moments in the reader's zone, with the zone), and
`term(...)` for a word that is itself translated (an order's status), and words for a phrase
that is (“2 awards of 3,000 points”)."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, override

from awsomeshop.text import day, moment, number

Stored = list[Any]  # [message, {name: value}] as JSON keeps it


@dataclass(frozen=True)
class Term:
    """A word that is translated on its own, e.g. an order status's label."""

    message: str


@dataclass(frozen=True)
class Words:
    message: str
    values: dict[str, Any]

    def stored(self) -> Stored:
        return [self.message, {name: _value_stored(value) for name, value in self.values.items()}]


def words(message: str, /, **values: Any) -> Words:
    """One sentence of a notification; `message` is marked with gettext_noop where it is written."""
    for value in values.values():
        _value_stored(value)  # refuses now what could not be stored, in the caller's frame
    return Words(message=message, values=values)


def term(message: str) -> Term:
    return Term(message=str(message))


def _value_stored(value: Any) -> Any:
    if isinstance(value, Words):
        return {"words": value.stored()}
    if isinstance(value, Term):
        return {"term": value.message}
    if isinstance(value, datetime.datetime):
        return {"moment": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"day": value.isoformat()}
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"A notification's value is a whole number, text, a day, a moment or a term, not {value!r}.")
    return value


def _value_read(value: Any) -> str:
    if isinstance(value, int):
        return number(value)
    if isinstance(value, dict):
        if "words" in value:
            return stored_read(value["words"])
        if "term" in value:
            return gettext(value["term"])
        if "moment" in value:
            return moment(datetime.datetime.fromisoformat(value["moment"]))
        if "day" in value:
            return day(datetime.date.fromisoformat(value["day"]))
    return str(value)


def stored_read(stored: Stored) -> str:
    """The sentence in the active language, with its values written as that language writes them."""
    message, values = stored
    text = gettext(message) if message else ""  # gettext("") is the catalog's header
    return text % {name: _value_read(value) for name, value in values.items()} if values else text


def notification_words(*, title: Words, body: Words | Sequence[Words]) -> dict[str, Any]:
    """What the outbox row keeps: the title and the body's sentences (one paragraph each)."""
    if not isinstance(title, Words):
        raise TypeError(
            "A notification's title is words(gettext_noop(...)), so each reader reads it in their language."
        )
    sentences = [body] if isinstance(body, Words) else list(body)
    if not sentences or not all(isinstance(sentence, Words) for sentence in sentences):
        raise TypeError("A notification's body is words(...) or a list of them.")
    return {"title": title.stored(), "body": [sentence.stored() for sentence in sentences]}


def title_read(kept: dict[str, Any]) -> str:
    return " ".join(stored_read(kept["title"]).split())


def body_read(kept: dict[str, Any]) -> str:
    return "\n".join(stored_read(sentence) for sentence in kept["body"])


def in_english(kept: dict[str, Any]) -> tuple[str, str]:
    """The title and body in English, for the row's own columns (the admin, search, the audit)."""
    with override("en"):
        return title_read(kept), body_read(kept)
