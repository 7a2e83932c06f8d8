from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet

from .models import AuditEntry


def audit_entries_for(*, obj: Model, object_types: list[str]) -> QuerySet[AuditEntry]:
    """One object's audit trail, newest first, under any of its types (a proxy's and its
    model's: the fulfilment queue's order is the order); for a person (an employee, a user),
    also every change about them (their awards, corrections, orders' steps)."""
    from .services import audit_identity

    about = Q(object_type__in=object_types, object_id=audit_identity(obj)[0])
    if isinstance(obj, get_user_model()):
        about |= Q(employee_id=obj.pk) | Q(object_type="accounts.user", object_id=str(obj.pk))
    return AuditEntry.objects.filter(about).order_by("-at", "-id")


def audit_filter_actors() -> list[tuple[str, str]]:
    """The staff who appear in the log, by e-mail, for the log's "who" filter: the distinct
    actors from their index, then their accounts. Employees acting in the portal are many; a
    search or the link from their page finds theirs."""
    actor_ids = AuditEntry.objects.filter(actor__isnull=False).order_by().values_list("actor_id", flat=True).distinct()
    staff = get_user_model().objects.filter(pk__in=list(actor_ids), is_staff=True).order_by("email")
    return [(str(pk), email) for pk, email in staff.values_list("pk", "email")]


def audit_filter_actions() -> list[str]:
    """The actions in the log (from their index), for the log's "what was done" filter."""
    return list(AuditEntry.objects.order_by().values_list("action", flat=True).distinct())


def audit_filter_object_types() -> list[str]:
    """The kinds of object the log has entries about."""
    return list(AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct())
