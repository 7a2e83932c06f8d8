from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from awsomeshop.db import new_id


class UserManager(BaseUserManager["User"]):
    """Creates users keyed by e-mail, as Cognito does (the pool's username is the e-mail)."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username: str | None) -> "User":
        """Sign-in by e-mail in any letter case: addresses are stored in lower case (create_user)."""
        return self.get(**{self.model.USERNAME_FIELD: str(username).lower()})

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: an employee, HR staff or a catalog manager.

    The primary key is the stable user id that `user_points.user_id`, `orders.user_id` and
    `points_transactions.user_id` hold: the Cognito `sub` for users from the pool, a generated
    UUID for local users.
    """

    id = models.CharField(primary_key=True, max_length=255, default=new_id, editable=False, verbose_name=_("id"))
    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True, verbose_name=_("first name"))
    last_name = models.CharField(max_length=150, blank=True, verbose_name=_("last name"))
    is_staff = models.BooleanField(_("staff status"), default=False, help_text=_("Can sign in to the admin."))
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Unset instead of deleting a user."))
    date_joined = models.DateTimeField(default=timezone.now, verbose_name=_("date joined"))
    # Empty until the person chooses: then the browser's language decides (accounts.languages).
    language = models.CharField(_("language"), max_length=8, blank=True, default="", choices=settings.LANGUAGES)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email
