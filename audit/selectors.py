from django.contrib.auth import get_user_model
from django.db.models import Model, Q, QuerySet

from .models import AuditEntry


def audit_entries_for(*, obj: Model, object_type: str) -> QuerySet[AuditEntry]:
    """One object's audit trail, newest first; for a person (an employee, a user), also every
    change about them (their awards, corrections, orders' steps)."""
    about = Q(object_type=object_type, object_id=str(obj.pk))
    if isinstance(obj, get_user_model()):
        about |= Q(employee_id=obj.pk) | Q(object_type="accounts.user", object_id=str(obj.pk))
    return AuditEntry.objects.filter(about).order_by("-at", "-id")
