"""The audit trail in HR's words: what was done ("Changed a budget"), and what changed as
"field: before → after" with the fields' own names. The log keeps the raw action, ids and values
(its CSV export is for whoever needs those); this is only how the admin shows them."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from awsomeshop.text import day, moment, number

if TYPE_CHECKING:
    from .models import AuditEntry

# Django's admin and the services that follow its naming record `<app>.<model>_<verb>`: those
# read as a sentence per verb around the model's verbose name, so a new model needs nothing here.
# English's article is part of each sentence ("a"/"an", chosen by the name's first sound); a
# language with articles of its own (by gender and case) translates both sentences of a verb
# alike around the name alone: "%(model)s geändert".
_ADMIN_VERBS = {
    "add": (
        # Translators: an audit entry's "what was done"; %(model)s is a kind of object ("budget").
        # German, without the English article: "%(model)s angelegt".
        gettext_lazy("Added a %(model)s"),
        # Translators: as "Added a %(model)s", for a name English starts with a vowel sound.
        # German, as that one: "%(model)s angelegt".
        gettext_lazy("Added an %(model)s"),
    ),
    "change": (
        # Translators: an audit entry's "what was done"; %(model)s is a kind of object ("budget").
        # German, without the English article: "%(model)s geändert".
        gettext_lazy("Changed a %(model)s"),
        # Translators: as "Changed a %(model)s", for a name English starts with a vowel sound.
        # German, as that one: "%(model)s geändert".
        gettext_lazy("Changed an %(model)s"),
    ),
    "delete": (
        # Translators: an audit entry's "what was done"; %(model)s is a kind of object ("budget").
        # German, without the English article: "%(model)s gelöscht".
        gettext_lazy("Deleted a %(model)s"),
        # Translators: as "Deleted a %(model)s", for a name English starts with a vowel sound.
        # German, as that one: "%(model)s gelöscht".
        gettext_lazy("Deleted an %(model)s"),
    ),
}

# The business steps are named by their verb alone ("points.award"), which no model says in
# words, so these few are spelled out. One missing reads as its words (see `action_label`). The
# model actions the services record themselves are whole sentences too, so a translation can give
# each its own article and case; any other model's reads as its verb's sentence (`_ADMIN_VERBS`).
_STEP_LABELS = {
    "accounts.employee_add": gettext_lazy("Added an employee"),
    "points.pointsbudget_add": gettext_lazy("Added a budget"),
    "points.pointsbudget_change": gettext_lazy("Changed a budget"),
    "points.pointsbudget_delete": gettext_lazy("Deleted a budget"),
    "shop.category_add": gettext_lazy("Added a category"),
    "shop.category_change": gettext_lazy("Changed a category"),
    "shop.category_delete": gettext_lazy("Deleted a category"),
    "shop.option_add": gettext_lazy("Added a product option"),
    "shop.option_change": gettext_lazy("Changed a product option"),
    "shop.option_delete": gettext_lazy("Deleted a product option"),
    "shop.product_add": gettext_lazy("Added a product"),
    "shop.product_change": gettext_lazy("Changed a product"),
    "shop.product_delete": gettext_lazy("Deleted a product"),
    "points.award": gettext_lazy("Awarded points"),
    "points.award_request": gettext_lazy("Asked for an award"),
    "points.award_approve": gettext_lazy("Approved an award request"),
    "points.award_reject": gettext_lazy("Rejected an award request"),
    "points.reverse": gettext_lazy("Reversed an award"),
    "orders.status_change": gettext_lazy("Changed an order's status"),
    "orders.codes_load": gettext_lazy("Loaded codes for a product"),
    "shop.category_merge": gettext_lazy("Merged categories"),
    "recognition.give": gettext_lazy("Gave recognition"),
    "recognition.add_points": gettext_lazy("Added points to a recognition"),
    "recognition.hide": gettext_lazy("Hid a recognition"),
    "recognition.take_back": gettext_lazy("Took back recognition points"),
    "recognition.value_save": gettext_lazy("Saved a company value"),
    "recognition.allowance_policy": gettext_lazy("Changed the giving allowance"),
    "recognition.allowance_override": gettext_lazy("Set one person's allowance"),
    "recognition.allowance_override_delete": gettext_lazy("Removed one person's allowance"),
    "recognition.milestone": gettext_lazy("Awarded a milestone"),
    "recognition.milestone_dates": gettext_lazy("Changed milestone dates"),
    "recognition.milestone_rule": gettext_lazy("Saved a milestone rule"),
    "notifications.resend": gettext_lazy("Sent an e-mail again"),
    "notifications.give_up": gettext_lazy("Gave up on an e-mail"),
    "notifications.email_suppress": gettext_lazy("Stopped e-mails to an address"),
    "notifications.email_suppression_lift": gettext_lazy("Resumed e-mails to an address"),
}

# Bookkeeping the services record under a name that means little to a reader.
_PLAIN_NAMES = {"balance_after": gettext_lazy("new balance")}

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_LINE_MAX = 300  # characters of one change: a long note or a list of awards stays one line
_EMPTY = "—"


def model_of(object_type: str) -> type[models.Model] | None:
    """The model an entry's `object_type` ("app_label.model") names, if it still exists."""
    app_label, _dot, model_name = object_type.partition(".")
    try:
        return apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None


def _model_named(app_label: str, name: str) -> type[models.Model] | None:
    """The model an action's name part means: the app's own of that name, else any app's (the
    points app's "employee" is a user), else the app's one whose name ends so ("option" is the
    shop's product option)."""
    if not name:
        return None
    found = model_of(f"{app_label}.{name}")
    if found is not None:
        return found
    everywhere = [model for model in apps.get_models() if model._meta.model_name == name]
    if everywhere:
        return everywhere[0]
    try:
        own = apps.get_app_config(app_label).get_models()
    except LookupError:
        return None
    return next((model for model in own if model._meta.model_name.endswith(name)), None)


def _in_sentence(words: str) -> str:
    """A kind of object's name inside a sentence. English writes it in lower case (a library's
    "Token" as "token"; an initialism, "API key", as it is); German keeps a noun's capital."""
    if (get_language() or "en").partition("-")[0] != "en":
        return words
    return words[:1].lower() + words[1:] if words[1:2].islower() else words


def _starts_with_a_vowel_sound(words: str) -> bool:
    lowered = words.lower()
    # "an order", "a user": a "u" that sounds as "you" takes "a".
    return lowered[:1] in ("a", "e", "i", "o") or (lowered[:1] == "u" and not lowered.startswith(("us", "uni")))


def action_label(*, action: str, object_type: str = "") -> str:
    """What was done, in words: "Changed a budget", "Awarded points". `object_type`, when known,
    names the object in an action that has no words of its own yet."""
    if action in _STEP_LABELS:
        return str(_STEP_LABELS[action])
    app_label, _dot, step = action.partition(".")
    name, _sep, verb = step.rpartition("_")
    target = model_of(object_type)
    if verb in _ADMIN_VERBS:
        model = _model_named(app_label, name) or target
        if model is not None:
            named = _in_sentence(str(model._meta.verbose_name))
            before_consonant, before_vowel = _ADMIN_VERBS[verb]
            sentence = before_vowel if _starts_with_a_vowel_sound(named) else before_consonant
            return str(sentence) % {"model": named}
    # The recorded code in words (nobody named it yet): a machine name, so it stays as recorded.
    words = step.replace("_", " ").strip().capitalize() or action
    if target is None:
        return words
    # Translators: an audit action nobody named yet: its recorded code in words, then the kind of object.
    return _("%(action)s (%(model)s)") % {"action": words, "model": target._meta.verbose_name}


@dataclass(frozen=True)
class ChangeLine:
    """One field's change as shown: its name, and its value before (if it had one) and after."""

    label: str
    before: str | None
    after: str | None

    def __str__(self) -> str:
        if not self.label:
            return self.after or self.before or ""
        if self.before is None:
            return f"{self.label}: {self.after}"
        if self.after is None:
            return f"{self.label}: {self.before}"
        return f"{self.label}: {self.before} → {self.after}"


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _label(model: type[models.Model] | None, name: str) -> str:
    if name in _PLAIN_NAMES:
        return _PLAIN_NAMES[name]
    field = _field(model, name)
    return str(field.verbose_name) if field is not None else name.replace("_", " ")


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def _when_text(value: str) -> str:
    """A recorded day or moment in the reader's words; anything that is no real one (no such day,
    past the calendar's end in the reader's zone), as recorded."""
    try:
        if _DAY.match(value):
            return day(date.fromisoformat(value))
        if _MOMENT.match(value):
            when = datetime.fromisoformat(value)
            # In the reader's zone, with the zone; a naive one (none is recorded so) read as Django
            # reads naive times, in the default zone.
            return moment(when if timezone.is_aware(when) else timezone.make_aware(when))
    except (ValueError, OverflowError):
        pass
    return value


def value_text(value: Any, *, field: models.Field | None = None) -> str | None:
    """A recorded value in words; None for one that is only an id (not worth a reader's time)."""
    if field is not None and field.choices and isinstance(value, str | int):
        return str(dict(field.flatchoices).get(value, value))
    if value is None or value == "":
        return _EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, str):
        if _is_id(value):
            return None
        # Text of a field that holds text is shown as typed, even when it looks like a day.
        if field is not None and not isinstance(field, models.DateField):
            return value
        return _when_text(value)
    if isinstance(value, dict) and "change" in value and ("before" in value or "after" in value):
        # An inline row the admin form added, changed or deleted (a budget's limits).
        fields = value.get("after") or value.get("before") or {}
        detail = ", ".join(f"{k.replace('_', ' ')}: {t}" for k, v in fields.items() if (t := value_text(v)) is not None)
        return _inline_change(str(value["change"]), detail)
    if isinstance(value, dict):
        shown = [(k, value_text(v)) for k, v in value.items()]
        return ", ".join(f"{k.replace('_', ' ')}: {t}" for k, t in shown if t is not None) or None
    if isinstance(value, list):
        items = [value_text(item) for item in value]
        if any(isinstance(item, list) for item in value):
            return "; ".join(item for item in items if item is not None) or _EMPTY
        return ", ".join(item for item in items if item is not None) or _EMPTY
    return str(value)


def _inline_change(change: str, detail: str) -> str:
    """An inline row's change (recorded as the machine word "added", "changed" or "deleted") as
    a whole phrase per case, with what the row held."""
    if change == "added":
        return _("added (%(detail)s)") % {"detail": detail} if detail else _("added")
    if change == "changed":
        return _("changed (%(detail)s)") % {"detail": detail} if detail else _("changed")
    if change == "deleted":
        return _("deleted (%(detail)s)") % {"detail": detail} if detail else _("deleted")
    return f"{change} ({detail})" if detail else change


def _shortened(text: str | None) -> str | None:
    return text if text is None or len(text) <= _LINE_MAX else text[: _LINE_MAX - 1] + "…"


def change_lines(entry: "AuditEntry") -> list[ChangeLine]:
    """What an entry changed, one line per field, in the order recorded (what it had, then what
    it gained). Ids are left out: the entry links to its object instead."""
    model = model_of(entry.object_type)
    before, after = entry.before, entry.after
    if not isinstance(before, dict) and not isinstance(after, dict):
        text = value_text(after if after is not None else before)
        return [] if before is None and after is None or text is None else [ChangeLine("", None, _shortened(text))]
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    lines = []
    for name in [*old, *(name for name in new if name not in old)]:
        if name == "id" or name.endswith("_id"):
            continue
        field = _field(model, name)
        had, has = name in old, name in new
        if has and not had and new[name] in ("", None, [], {}):
            continue  # an empty note says nothing
        shown_before = value_text(old[name], field=field) if had else None
        shown_after = value_text(new[name], field=field) if has else None
        if (had and shown_before is None) or (has and shown_after is None):
            continue  # an id: the entry's link says which object
        lines.append(ChangeLine(_label(model, name), _shortened(shown_before), _shortened(shown_after)))
    return lines
