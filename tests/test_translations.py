"""The shop in English and German: every text a person reads is marked for translation, and the
German catalog translates every marked message (locale/de, `make messages`)."""

import gettext
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

ROOT = Path(settings.BASE_DIR)
CATALOG = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOG.with_suffix(".mo")
TEMPLATES = sorted(path for path in (ROOT / "templates").rglob("*") if path.suffix in {".html", ".txt"})
# Attributes whose words a person reads or hears (a screen reader reads the others out too).
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "data-label", "data-working-text"}
# The brand is written the same in every language.
SAME_IN_EVERY_LANGUAGE = re.compile(r"AWSomeShop")
A_LETTER = re.compile(r"[^\W\d_]")
# Template tags whose text is translated as a whole, or is not shown.
SKIPPED_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans", "comment": "endcomment"}


class _ReadText(HTMLParser):
    """The words of a page that are not inside a translation tag: text and read attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_code = 0

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "style"}:
            self._in_code += 1
        attributes = dict(attrs)
        read = set(READ_ATTRIBUTES)
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            read.add("value")
        for name in read & attributes.keys():
            self._check(attributes[name] or "", f'{name}="…"')

    def handle_endtag(self, tag):
        if tag in {"script", "style"}:
            self._in_code -= 1

    def handle_data(self, data):
        if not self._in_code:
            self._check(data, "text")

    def _check(self, text: str, where: str) -> None:
        words = SAME_IN_EVERY_LANGUAGE.sub("", text)
        if A_LETTER.search(words):
            self.found.append(f"{where}: {text.replace(chr(0), '').strip()[:80]!r}")


def untranslated_text(source: str) -> list[str]:
    """What a template shows that no translation tag holds. Template tags and variables become a
    NUL (no letters), the text of blocktranslate and comment blocks is dropped."""
    parts, closing = [], []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0]
            if closing and name == closing[-1]:
                closing.pop()
            elif name in SKIPPED_BLOCKS:
                closing.append(SKIPPED_BLOCKS[name])
            parts.append("\0")
        elif token.token_type == TokenType.TEXT:
            parts.append("" if closing else token.contents)
        else:
            parts.append("\0")
    reader = _ReadText()
    reader.feed("".join(parts))
    reader.close()
    return reader.found


def test_the_reader_finds_text_outside_translation_and_passes_what_is_translated():
    source = (
        '{% load i18n %}<p title="Help">{% translate "Fine" %} Oops</p>'
        '<a aria-label="{% translate "Fine" %}">{{ name }}</a>'
        "{% blocktranslate %}Fine {{ x }}{% endblocktranslate %}<script>let ok = 1;</script>"
        '<input type="submit" value="Send"><span>AWSomeShop · {{ n }}</span>'
    )
    assert untranslated_text(source) == ["title=\"…\": 'Help'", "text: 'Oops'", "value=\"…\": 'Send'"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: str(path.relative_to(ROOT / "templates")))
def test_a_template_shows_no_text_outside_translation(template):
    assert untranslated_text(template.read_text()) == []


def _catalog() -> polib.POFile:
    return polib.pofile(str(CATALOG))


def test_german_translates_every_message_of_the_catalog():
    catalog = _catalog()
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert (untranslated, fuzzy) == ([], []), "locale/de/LC_MESSAGES/django.po: translate these"
    assert catalog.metadata["Language"] == "de"


def test_a_translation_keeps_its_placeholders():
    """A German sentence that lost or renamed a %(name)s, {{ name }}, {name} or %s would raise when
    the page is drawn, or drop what it names."""
    placeholder = re.compile(r"%\((\w+)\)[sd]|\{\{ ?(\w+) ?\}\}|(?<!\{)\{(\w+)\}(?!\})|(%[sd])")
    wrong = []
    for entry in _catalog().translated_entries():
        wanted = sorted(placeholder.findall(entry.msgid_plural or entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            found = sorted(placeholder.findall(text))
            # A plural's singular may say "one" instead of its count; nothing may be added or renamed.
            if not set(found) <= set(wanted) or (not entry.msgid_plural and found != wanted):
                wrong.append((entry.msgid, text))
    assert wrong == []


def test_the_compiled_catalog_is_the_catalog():
    """The app runs on the committed .mo (no gettext in the image): it must say what the .po says."""
    compiled = gettext.GNUTranslations(COMPILED.open("rb"))._catalog  # type: ignore[attr-defined]
    expected = {}
    for entry in _catalog().translated_entries():
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if entry.msgid_plural:
            for index, text in entry.msgstr_plural.items():
                expected[(key, int(index))] = text
        else:
            expected[key] = entry.msgstr
    assert {k: v for k, v in compiled.items() if k != ""} == expected, "run `make messages`"


def test_the_catalog_holds_every_marked_message(tmp_path):
    """`make messages` run now would add nothing: no marked message of the code or the templates is
    missing from the catalog (so none is shown in English to a German reader)."""
    copy = tmp_path / "app"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", "cdk", "tests", "bench", "docs", "var", ".git", "node_modules", "*.mo"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale=de", "--no-obsolete", "--add-location=never"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = polib.pofile(str(copy / "locale" / "de" / "LC_MESSAGES" / "django.po"))

    def ids(catalog):
        return {(entry.msgctxt, entry.msgid) for entry in catalog if not entry.obsolete}

    assert ids(fresh) - ids(_catalog()) == set(), "run `make messages` and translate the new entries"


# The API's own field errors come from DRF's catalog, whose German says "du"; the shop says "Sie".
INFORMAL = re.compile(r"\b(Gib|Stelle|Lade|Wähle|du|dein|deine|Du|Dein)\b")


def test_the_apis_library_messages_address_the_reader_as_the_shop_does():
    import rest_framework
    from django.utils import translation

    catalog = Path(rest_framework.__file__).parent / "locale" / "de" / "LC_MESSAGES" / "django.mo"
    with translation.override("de"):
        informal = {
            entry.msgid: translation.gettext(entry.msgid)
            for entry in polib.mofile(str(catalog))
            if entry.msgid and not entry.msgid_plural and INFORMAL.search(translation.gettext(entry.msgid))
        }

    assert informal == {}
