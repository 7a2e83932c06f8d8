"""The audit trail's one write path. Services call `audit_record` inside the transaction of the
change they make, naming the action, the object and its values before and after; who did it and
through what (admin, API) come from the request being served (`audit.middleware`). Each entry is
also written as a Django `LogEntry`, so the admin's "Recent actions" and each object's history
show it."""

import contextvars
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import translation

from awsomeshop.db import in_transaction

from .models import AuditEntry

_current_request: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_request", default=None)

# Actions ending in _add or _delete are additions and deletions in the admin's history.
_FLAG_OF_VERB = {"add": ADDITION, "delete": DELETION}


@contextmanager
def audit_request(request) -> Iterator[None]:
    """Who acts and through what while `request` is served (the middleware's context)."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def _request_user():
    request = _current_request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def _actor_email(actor_id: str | None) -> str:
    # The signed-in user's e-mail is on the request already: no query per change of a bulk step.
    user = _request_user()
    if actor_id is None:
        return ""
    if user is not None and user.pk == actor_id:
        return user.email
    return get_user_model().objects.filter(pk=actor_id).values_list("email", flat=True).first() or ""


def _request_actor_and_source() -> tuple[str | None, str]:
    request = _current_request.get()
    if request is None:
        return None, AuditEntry.Source.SYSTEM
    path = request.path_info or ""
    source = (
        AuditEntry.Source.API
        if path.startswith("/api/")
        else AuditEntry.Source.ADMIN
        if path.startswith("/admin/")
        else AuditEntry.Source.PORTAL
    )
    # DRF sets the user it authenticated on the Django request too, so a token's user is here.
    user = _request_user()
    return (user.pk if user is not None else None), source


def audit_identity(obj: models.Model) -> tuple[str, str]:
    """The id and name the log keeps for an object. An API token's id and name are its key, a
    secret: the log names its user instead (HR reads the log; a key is a sign-in)."""
    from rest_framework.authtoken.models import Token

    if isinstance(obj, Token):
        return f"user:{obj.user_id}", f"API token of {obj.user}"
    if isinstance(obj, get_user_model()):
        return str(obj.pk), obj.email  # unambiguous, where two people may share a name
    # A record, written once: in the company's language, not in that of whoever acted.
    with translation.override(settings.LANGUAGE_CODE):
        return str(obj.pk), str(obj)


def audit_value(value: Any) -> Any:
    """A value as the log keeps it: JSON, readable (names for related objects, files by name)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return audit_identity(value)[1]
    if isinstance(value, Mapping):
        return {str(key): audit_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset | models.QuerySet):
        items = [audit_value(item) for item in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset | models.QuerySet) else items
    return str(value)


def audit_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose values differ, before and after."""
    fields = [field for field in after if audit_value(before.get(field)) != audit_value(after.get(field))]
    return {f: audit_value(before.get(f)) for f in fields}, {f: audit_value(after.get(f)) for f in fields}


@dataclass(frozen=True)
class Change:
    """One object changed, for `audit_record_many`."""

    target: models.Model
    before: Any = None
    after: Any = None
    employee_id: str | None = None


@in_transaction(message="An audit entry is written in the transaction of the change it records.")
def audit_record(
    *,
    action: str,
    target: models.Model,
    before: Any = None,
    after: Any = None,
    actor_id: str | None = None,
    employee_id: str | None = None,
) -> AuditEntry:
    """Record a change in the caller's transaction. `action` is `<app>.<verb>` ("points.award",
    "shop.product_change"); `target` the object changed; `employee_id` the employee it is about;
    `actor_id` who did it, when it is not the signed-in user of the request being served."""
    (entry,) = audit_record_many(action=action, changes=[Change(target, before, after, employee_id)], actor_id=actor_id)
    return entry


@in_transaction(message="An audit entry is written in the transaction of the change it records.")
def audit_record_many(*, action: str, changes: list[Change], actor_id: str | None = None) -> list[AuditEntry]:
    """The same action on many objects (a batch of awards, a bulk step), in two inserts."""
    request_actor, source = _request_actor_and_source()
    actor_id = actor_id or request_actor
    actor_email = _actor_email(actor_id)
    entries, log_entries = [], []
    flag = _FLAG_OF_VERB.get(action.rsplit("_", 1)[-1], CHANGE)
    for change in changes:
        content_type = ContentType.objects.get_for_model(change.target, for_concrete_model=False)
        object_id, object_repr = audit_identity(change.target)
        entries.append(
            AuditEntry(
                actor_id=actor_id,
                actor_email=actor_email,
                source=source,
                action=action[:64],
                object_type=f"{content_type.app_label}.{content_type.model}",
                object_id=object_id,
                object_repr=object_repr[:255],
                employee_id=change.employee_id,
                before=audit_value(change.before),
                after=audit_value(change.after),
            )
        )
        if actor_id is not None:
            log_entries.append(
                LogEntry(
                    user_id=actor_id,
                    content_type=content_type,
                    object_id=object_id,
                    object_repr=object_repr[:200],
                    action_flag=flag,
                    change_message=_message(action, change.after),
                )
            )
    AuditEntry.objects.bulk_create(entries)
    LogEntry.objects.bulk_create(log_entries)
    return entries


def _message(action: str, after: Any) -> str:
    """What the admin's history shows: the action and what it set."""
    what = action.split(".", 1)[-1].replace("_", " ")
    if isinstance(after, Mapping) and after:
        return (
            f"{what.capitalize()}: "
            + "; ".join(
                f"{field} → {json.dumps(audit_value(value), ensure_ascii=False)}" for field, value in after.items()
            )[:1000]
        )
    return what.capitalize()
