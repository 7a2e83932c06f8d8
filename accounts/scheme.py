"""What the API's authentication classes share: reading `Authorization: <scheme> <credential>`,
and answering "who is calling" cheaply with the same acceptance as the full check."""

from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import APIException, AuthenticationFailed


class SchemeAuthentication(BaseAuthentication):
    """One authentication scheme (`keyword`). `authenticate` builds the user, as DRF does;
    `caller_id` says whom `authenticate` would accept, from the same header and the same checks,
    in one primary-key query and without building a user: for answers that need only "a
    signed-in, active user asks" (cached catalog pages)."""

    keyword: str

    def credential(self, request) -> str | None:
        """The credential after `<keyword> `; None for another scheme or no header."""
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise AuthenticationFailed(
                _("The Authorization header must be: %(keyword)s <credential>.") % {"keyword": self.keyword}
            )
        try:
            return header[1].decode("ascii")
        except UnicodeError as error:
            raise AuthenticationFailed(_("The credential must be ASCII text.")) from error

    def active_user_id(self, credential: str) -> str | None:
        """The active user this credential belongs to, or None."""
        raise NotImplementedError

    def caller_id(self, request) -> str | None:
        """Whom `authenticate` would accept for this request, or None when it would not, or when
        only it can tell (then the caller goes the full way and gets its answer)."""
        try:
            credential = self.credential(request)
            return None if credential is None else self.active_user_id(credential)
        except APIException:
            return None
