"""Text that people type and other people read (addresses, notes, option names, codes): one rule
for what it may contain, so a fulfilment list or a pick list shows what was typed and nothing
that hides or reorders it."""

import unicodedata

from awsomeshop.exceptions import ShopError

# Control characters, format characters (zero-width, bidirectional overrides) and the Unicode
# line and paragraph separators: invisible, or they change how the text around them reads.
REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}


def text_clean(value: object, *, what: str, max_length: int, invalid: type[ShopError], multiline: bool = False) -> str:
    """The text trimmed, with line endings as \\n (where several lines are allowed), or '' for
    nothing; `invalid` with the reason for anything else."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(f"The {what} must be text.", field=what)
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    allowed = {"\n"} if multiline else set()
    if any(unicodedata.category(char) in REFUSED_CATEGORIES and char not in allowed for char in text):
        raise invalid(f"The {what} contains characters that cannot be printed.", field=what)
    if len(text) > max_length:
        raise invalid(f"The {what} can be at most {max_length} characters.", field=what)
    return text


def counted(count: int, singular: str, plural: str) -> str:
    """“1 product”, “2,150 products”: a number as the portal writes it, with its noun in the
    right form (ngettext, so a translation can have its own plural rules)."""
    from django.utils.translation import ngettext

    return f"{number(count)} {ngettext(singular, plural, count)}"


# One rule for numbers, days and moments in text that Python writes (messages, notifications,
# e-mails), the same as templates get from the language's formats (awsomeshop/formats): groups of
# thousands, the day as the language writes it, a moment in the reader's zone with that zone.
def number(value: int) -> str:
    """1,100 in English, 1.100 in German."""
    from django.utils.formats import number_format

    return number_format(value, force_grouping=True)


def day(value) -> str:
    """7 Dec 2026 / 7. Dezember 2026."""
    from django.utils.formats import date_format

    return date_format(value, "DATE_FORMAT")


def moment(value) -> str:
    """7 Dec 2026, 14:05 CET: an aware time in the active zone (the reader's), with the zone."""
    from django.utils import timezone
    from django.utils.formats import date_format

    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def search_folded(text: str | None) -> str:
    """Text as search compares it: without case, accents, spaces, hyphens or other punctuation,
    so “tshirt” finds “T-shirt” and “creme” finds “Crème”."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed.casefold() if char.isalnum())
