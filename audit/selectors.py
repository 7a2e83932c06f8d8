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
