from django.db.models import Q, QuerySet

from .models import User


def users_with_permission(*, codename: str) -> QuerySet[User]:
    """Active users who hold a permission, through a role, their own grants or as superusers."""
    holds = Q(is_superuser=True) | Q(groups__permissions__codename=codename) | Q(user_permissions__codename=codename)
    return User.objects.filter(holds, is_active=True).distinct()
