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

if TYPE_CHECKING:
    from .models import AuditEntry

# Django's admin and the services that follow its naming record `<app>.<model>_<verb>`: those
# read as the verb and the model's verbose name, so a new model needs nothing here.
_ADMIN_VERBS = {"add": "Added", "change": "Changed", "delete": "Deleted"}

# The business steps are named by their verb alone ("points.award"), which no model says in
# words, so these few are spelled out. One missing reads as its words (see `action_label`).
_STEP_LABELS = {
    "points.award": "Awarded points",
    "points.award_request": "Asked for an award",
    "points.award_approve": "Approved an award request",
    "points.award_reject": "Rejected an award request",
    "points.reverse": "Reversed an award",
    "orders.status_change": "Changed an order's status",
    "orders.codes_load": "Loaded codes for a product",
    "shop.category_merge": "Merged categories",
    "recognition.give": "Gave recognition",
    "recognition.add_points": "Added points to a recognition",
    "recognition.hide": "Hid a recognition",
    "recognition.take_back": "Took back recognition points",
    "recognition.value_save": "Saved a company value",
    "recognition.allowance_policy": "Changed the giving allowance",
    "recognition.allowance_override": "Set one person's allowance",
    "recognition.allowance_override_delete": "Removed one person's allowance",
    "recognition.milestone": "Awarded a milestone",
    "recognition.milestone_dates": "Changed milestone dates",
    "recognition.milestone_rule": "Saved a milestone rule",
    "notifications.resend": "Sent an e-mail again",
    "notifications.give_up": "Gave up on an e-mail",
    "notifications.email_suppress": "Stopped e-mails to an address",
    "notifications.email_suppression_lift": "Resumed e-mails to an address",
}

# Bookkeeping the services record under a name that means little to a reader.
_PLAIN_NAMES = {"balance_after": "new balance"}

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_LINE_MAX = 300  # characters of one change: a long note or a list of awards stays one line
_EMPTY = "—"


def model_of(object_type: str) -> type[models.Model] | None:
    """The model an entry's `object_type` ("app_label.model") names, if it still exists."""
    app_label, _, model_name = object_type.partition(".")
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


def _lowered(words: str) -> str:
    """A library's "Token" as "token" inside a sentence; an initialism ("API key") as it is."""
    return words[:1].lower() + words[1:] if words[1:2].islower() else words


def _with_article(words: str) -> str:
    lowered = words.lower()
    # "a user", "an order": a "u" that sounds as "you" takes "a".
    vowel = lowered[:1] in ("a", "e", "i", "o") or (lowered[:1] == "u" and not lowered.startswith(("us", "uni")))
    return f"{'an' if vowel else 'a'} {words}"


def action_label(*, action: str, object_type: str = "") -> str:
    """What was done, in words: "Changed a budget", "Awarded points". `object_type`, when known,
    names the object in an action that has no words of its own yet."""
    if action in _STEP_LABELS:
        return _STEP_LABELS[action]
    app_label, _, step = action.partition(".")
    name, _, verb = step.rpartition("_")
    target = model_of(object_type)
    if verb in _ADMIN_VERBS:
        model = _model_named(app_label, name) or target
        if model is not None:
            return f"{_ADMIN_VERBS[verb]} {_with_article(_lowered(str(model._meta.verbose_name)))}"
    words = step.replace("_", " ").strip().capitalize() or action
    return f"{words} ({target._meta.verbose_name})" if target is not None else words


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


def value_text(value: Any, *, field: models.Field | None = None) -> str | None:
    """A recorded value in words; None for one that is only an id (not worth a reader's time)."""
    if field is not None and field.choices and isinstance(value, str | int):
        return str(dict(field.flatchoices).get(value, value))
    if value is None or value == "":
        return _EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, str):
        if _is_id(value):
            return None
        if _DAY.match(value):
            return f"{date.fromisoformat(value):%-d %b %Y}"
        if _MOMENT.match(value):
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return f"{moment:%-d %b %Y, %H:%M}"
        return value
    if isinstance(value, dict) and "change" in value and ("before" in value or "after" in value):
        # An inline row the admin form added, changed or deleted (a budget's limits).
        fields = value.get("after") or value.get("before") or {}
        detail = ", ".join(f"{k.replace('_', ' ')}: {t}" for k, v in fields.items() if (t := value_text(v)) is not None)
        return f"{value['change']} ({detail})" if detail else str(value["change"])
    if isinstance(value, dict):
        shown = [(k, value_text(v)) for k, v in value.items()]
        return ", ".join(f"{k.replace('_', ' ')}: {t}" for k, t in shown if t is not None) or None
    if isinstance(value, list):
        items = [value_text(item) for item in value]
        if any(isinstance(item, list) for item in value):
            return "; ".join(item for item in items if item is not None) or _EMPTY
        return ", ".join(item for item in items if item is not None) or _EMPTY
    return str(value)


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
