"""Users: the local record of each person, kept in step with the Cognito pool in production."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from awsomeshop.db import atomic_with_retry, in_transaction, outside_transaction
from awsomeshop.exceptions import ShopError

from . import cognito
from .models import User
from .roles import HR
from .signals import directory_dates_seen


class AccountConflict(ShopError):
    code = "account_conflict"
    status = 409


def _hr_membership_set(*, user: User, is_hr: bool) -> None:
    """Membership of the pool's HR group gives the HR role (and the admin); leaving it takes both."""
    hr_group = Group.objects.get(name=HR)
    in_group = user.groups.filter(pk=hr_group.pk).exists()
    if is_hr and not in_group:
        user.groups.add(hr_group)
    elif not is_hr and in_group:
        user.groups.remove(hr_group)
    staff = is_hr or user.is_superuser or user.groups.exclude(pk=hr_group.pk).exists()
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])


def _user_for_pool_user(*, pool_user: cognito.PoolUser) -> tuple[User, bool]:
    """The local user whose id is the pool user's `sub`, created on first sight."""
    user = User.objects.filter(pk=pool_user.sub).first()
    if user is not None:
        return user, False
    try:
        with transaction.atomic():
            user = User.objects.create(
                id=pool_user.sub,
                email=pool_user.email,
                first_name=pool_user.first_name,
                last_name=pool_user.last_name,
            )
    except IntegrityError as error:
        if User.objects.filter(pk=pool_user.sub).exists():  # created by a concurrent request
            return User.objects.get(pk=pool_user.sub), False
        raise AccountConflict(
            _("A local account already uses %(email)s but is not linked to Cognito; ask an administrator.")
            % {"email": pool_user.email},
            email=pool_user.email,
        ) from error
    user.set_unusable_password()  # they sign in with Cognito only
    user.save(update_fields=["password"])
    return user, True


def user_from_cognito_claims(*, claims: dict) -> User:
    """The local user for verified token claims, created on first sign-in, with the HR role
    following the token's `cognito:groups`."""
    user = User.objects.filter(pk=claims["sub"]).first()
    if user is None:
        email = claims.get("email", "")
        if "@" in email:
            pool_user = cognito.PoolUser(
                sub=claims["sub"],
                email=email.lower(),
                first_name=claims.get("given_name", ""),
                last_name=claims.get("family_name", ""),
                enabled=True,
            )
        else:  # access tokens carry no e-mail: ask the pool
            pool_user = cognito.user_get(
                username=claims.get("cognito:username") or claims.get("username") or claims["sub"]
            )
        user, _created = _user_for_pool_user(pool_user=pool_user)
    _hr_membership_set(user=user, is_hr=settings.COGNITO_HR_GROUP in claims.get("cognito:groups", []))
    return user


@outside_transaction
def employee_create(*, email: str, first_name: str = "", last_name: str = "") -> User:
    """Add an employee, so HR can award points before their first sign-in. With Cognito the pool
    user is created too (Cognito e-mails a temporary password); locally the account has no
    password until an administrator sets one."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email=email).exists():
        raise _already_there(email)
    pool_user = None
    if settings.AUTH_BACKEND == "cognito":
        pool_user = cognito.user_create(email=email, first_name=first_name, last_name=last_name)
    try:
        with transaction.atomic():  # the account and its audit entry together
            if pool_user is not None:
                user, _created = _user_for_pool_user(pool_user=pool_user)
            else:
                user = User.objects.create_user(email, None, first_name=first_name, last_name=last_name)
            audit_record(
                action="accounts.employee_add",
                target=user,
                after={"email": user.email, "first_name": user.first_name, "last_name": user.last_name},
                employee_id=user.pk,
            )
    except IntegrityError as duplicate:
        # The same address added at the same moment (a double click): the unique key caught what
        # the check above let through twice.
        raise _already_there(email) from duplicate
    return user


def _already_there(email: str) -> AccountConflict:
    return AccountConflict(_("There is already an employee with the e-mail %(email)s.") % {"email": email}, email=email)


@dataclass(frozen=True)
class SyncReport:
    created: int
    updated: int
    unchanged: int


@outside_transaction
def cognito_users_sync() -> SyncReport:
    """Import the pool's users (and who is in its HR group) into local users, each in a
    transaction of its own: the pool is read first, outside any."""
    hr_subs = cognito.group_member_subs(group=settings.COGNITO_HR_GROUP)
    created = updated = unchanged = 0
    for pool_user in cognito.users_list():
        was_created, changed = _pool_user_sync(pool_user=pool_user, is_hr=pool_user.sub in hr_subs)
        created += was_created
        updated += changed and not was_created
        unchanged += not changed and not was_created
    return SyncReport(created, updated, unchanged)


@atomic_with_retry
def _pool_user_sync(*, pool_user, is_hr: bool) -> tuple[bool, bool]:
    """One pool user as a local user: (created now, names or status changed)."""
    user, was_created = _user_for_pool_user(pool_user=pool_user)
    names = {"email": pool_user.email, "first_name": pool_user.first_name, "last_name": pool_user.last_name}
    fields: dict[str, object] = {k: v for k, v in names.items() if v and getattr(user, k) != v}
    if pool_user.enabled != user.is_active:
        fields["is_active"] = pool_user.enabled
    if fields:
        User.objects.filter(pk=user.pk).update(**fields)
    _hr_membership_set(user=user, is_hr=is_hr)
    if pool_user.hire_date or pool_user.birthdate:
        # The apps above keep what these dates mean (recognition's milestones), in this transaction.
        directory_dates_seen.send(
            sender=User, user_id=user.pk, hire_date=pool_user.hire_date, birthdate=pool_user.birthdate
        )
    return was_created, bool(fields)


@in_transaction(message="A person's row is locked inside the transaction it orders.")
def user_lock(*, user_id: str) -> bool:
    """Lock the person's row until the caller's transaction ends: what the other apps queue on
    for a rule about one person's rows that no constraint can hold (at most 100 wishes). False
    for nobody."""
    return bool(list(User.objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True)))


@atomic_with_retry
def user_language_set(*, user: User, language: str) -> None:
    """The person's own language for the portal and their e-mails; "" goes back to the browser's."""
    if language and language not in dict(settings.LANGUAGES):
        raise ShopError(_("We do not have the shop in that language."), field="language")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
