"""One e-mail address in one form, wherever the shop reads, stores or compares one: the bare
address (a display name dropped), all lower case, its domain in ASCII (punycode), as Django sends
it and as Amazon SES reports it back. The settings check the sender with it, the suppression list
stores it, the sender compares recipients with it."""

import re
from email.utils import getaddresses

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.encoding import punycode

# "Name <address>" or "\"Name, with comma\" <address>": one pair of angle brackets, at the end.
_NAMED = re.compile(r'^(?:"[^"]*"|[^<>"])*<([^<>]+)>$')
MAX_LENGTH, MAX_LOCAL_LENGTH = 254, 64  # RFC 5321; also the column's length


def email_address_parse(raw: object) -> str:
    """The address in the shop's one form; ValueError for anything that is not one address
    (several, a header break, an unclosed bracket, too long for SMTP or the column)."""
    if not isinstance(raw, str) or "\r" in raw or "\n" in raw:
        raise ValueError(f"not one e-mail address: {raw!r}")
    text = raw.strip()
    named = _NAMED.match(text)
    bare = named.group(1).strip() if named else text
    if any(c in bare for c in '<>,;"') or any(c.isspace() for c in bare) or len(getaddresses([text])) != 1:
        raise ValueError(f"not one e-mail address: {raw!r}")
    local, _at, domain = bare.rpartition("@")
    try:
        address = f"{local}@{punycode(domain)}".lower() if local and domain else ""
        address.encode("utf-8")
        validate_email(address)
    except (UnicodeError, ValidationError) as error:
        raise ValueError(f"not one e-mail address: {raw!r}") from error
    if len(local) > MAX_LOCAL_LENGTH or len(address) > MAX_LENGTH:
        raise ValueError(f"not one e-mail address (too long): {raw!r}")
    return address
