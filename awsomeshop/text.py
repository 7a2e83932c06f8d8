"""Text that people type and other people read (addresses, notes, option names, codes): one rule
for what it may contain, so a fulfilment list or a pick list shows what was typed and nothing
that hides or reorders it."""

import unicodedata
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from awsomeshop.exceptions import ShopError

# Control characters, format characters (zero-width, bidirectional overrides) and the Unicode
# line and paragraph separators: invisible, or they change how the text around them reads.
REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}


@dataclass(frozen=True)
class TextKind:
    """One kind of typed text (an address, a note, an option's name) as text_clean names it when it
    refuses it: each refusal a whole sentence, declared with gettext_lazy beside the rule that uses
    it (German puts the noun, with its own article, where its grammar wants it, so a noun is never
    slotted into a shared English sentence), and `field`, the machine name a form or the API
    attaches the refusal to (never translated). `too_long` has a %(most)s placeholder; text_clean
    formats every sentence with %(most)s and %(what)s, so a literal percent sign is written %%."""

    field: str
    not_text: str | Promise
    unprintable: str | Promise
    too_long: str | Promise


# For a caller that gives only a translated noun: sentences where the noun stands alone, the
# noun its own `field`. A TextKind of the caller's own reads better in every language.
_NOUN_ALONE = TextKind(
    field="",
    not_text=gettext_lazy("%(what)s: must be text."),
    unprintable=gettext_lazy("%(what)s: contains characters that cannot be printed."),
    too_long=gettext_lazy("%(what)s: can be at most %(most)s characters."),
)


def text_clean(
    value: object,
    *,
    what: TextKind | str | Promise,
    max_length: int,
    invalid: type[ShopError],
    multiline: bool = False,
    naming: dict[str, str] | None = None,
) -> str:
    """The text trimmed, with line endings as \\n (where several lines are allowed), or '' for
    nothing; `invalid` with the reason for anything else, in the active language. `naming` fills
    the kind's own placeholders (which order's tracking number)."""
    kind, noun = (what, "") if isinstance(what, TextKind) else (_NOUN_ALONE, str(what))
    field = kind.field or noun
    # The limit as a plain number, as it always read ("at most 1000 characters").
    words = {"what": noun, "most": max_length, **(naming or {})}
    if value is None:
        return ""
    if not isinstance(value, str):
        raise invalid(str(kind.not_text) % words, field=field)
    text = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    allowed = {"\n"} if multiline else set()
    if any(unicodedata.category(char) in REFUSED_CATEGORIES and char not in allowed for char in text):
        raise invalid(str(kind.unprintable) % words, field=field)
    if len(text) > max_length:
        raise invalid(str(kind.too_long) % words, field=field)
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
