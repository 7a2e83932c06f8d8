"""The kinds of notification. Each app declares the kinds it raises, with their topic and label,
in its own `events.py` beside the texts it writes (points/events.py, orders/events.py); this app
stores, delivers and lists any kind and knows none of their words. The apps' `events` modules
are loaded when Django starts (NotificationsConfig.ready), so every stored kind has its label.

A label is marked where it is declared, `label=gettext_noop("Order placed")`, and read in the
language of whoever reads it (the portal's page, the API's Accept-Language, the admin)."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from .models import Notification, Topic

CODE_MAX_LENGTH: int = Notification._meta.get_field("kind").max_length or 20


@dataclass(frozen=True)
class NotificationKind:
    """What happened, as stored in `notifications.kind`; `topic` is the switch people turn its
    e-mails off with (Topic.REQUIRED: never off)."""

    code: str
    topic: Topic
    label: str | Promise  # lazy: in the language of whoever reads it

    def __str__(self) -> str:
        return self.code


_KINDS: dict[str, NotificationKind] = {}


def notification_kind(*, code: str, topic: Topic, label: str | Promise) -> NotificationKind:
    """Declare a kind, once, at import of the module that raises it."""
    if len(code) > CODE_MAX_LENGTH:
        raise ValueError(f"A notification kind's code has at most {CODE_MAX_LENGTH} characters: {code!r}.")
    # Declared at import, read per request: translated when read (a lazy label stays as it is).
    kind = NotificationKind(
        code=code, topic=Topic(topic), label=label if isinstance(label, Promise) else gettext_lazy(label)
    )
    if _KINDS.setdefault(code, kind) != kind:
        raise ValueError(f"The notification kind {code!r} is declared twice, differently.")
    return kind


def notification_kind_get(code: str) -> NotificationKind | None:
    return _KINDS.get(code)


def notification_kind_list() -> list[NotificationKind]:
    return sorted(_KINDS.values(), key=lambda kind: str(kind.label))
