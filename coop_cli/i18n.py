"""The one translation layer: every user-facing string goes through `_()` (gettext, domain `coop`), and every number,
date and word of the books shown to people goes through the display functions below (Babel, with its own locale data).

The language comes from `--lang`, else from the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); catalogs live in `coop_cli/locale`.
"""

import gettext
from datetime import date
from decimal import Decimal
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "fr")

_translation: gettext.NullTranslations = gettext.translation("coop", LOCALE_DIR, fallback=True)


def use_language(language: str | None) -> None:
    """Switch every later `_()` to `language` (None: the locale's choice); English needs no catalog."""
    global _translation
    languages = [language] if language else None
    _translation = gettext.translation("coop", LOCALE_DIR, languages=languages, fallback=True)


def language() -> str:
    """The language messages are shown in: the catalog's own `Language`, English when there is none."""
    return _translation.info().get("language", "en")


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:
    """A message marked for the catalog but translated where it is shown: help and column titles are defined when
    a module is imported, and a process may show them in more than one language."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _translation.pgettext(context, message)


# ---------------------------------------------------------------- what people read: numbers, dates, words

# English keeps the ISO dates that hledger and coop's files write; French writes the day as French readers do.
DATE_PATTERNS = {"en": "yyyy-MM-dd", "fr": "d MMMM yyyy"}


def hours(value: Decimal) -> str:
    """An amount of hours for a table or a page, to the hundredth: 5.25 in English, 5,25 in French (never a float)."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.00", locale=language(), decimal_quantization=True)


def short_hours(value: Decimal) -> str:
    """Hours without the zeros nobody says: 33.75, 7.5, 12 (33,75, 7,5 and 12 in French)."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.##", locale=language())


def number(value: int) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=language())


def day(value: date) -> str:
    """A date for a table or a page: 2026-03-10 in English, 10 mars 2026 in French (and 1er mars)."""
    from babel.dates import format_date

    said = format_date(value, DATE_PATTERNS.get(language(), "yyyy-MM-dd"), locale=language())
    return "1er" + said[1:] if language() == "fr" and value.day == 1 else said


def month(value: date) -> str:
    """A month for a page's title: March 2026 in English, mars 2026 in French."""
    from babel.dates import format_date

    return format_date(value, "LLLL yyyy", locale=language())


def plural_n(value: Decimal) -> int:
    """The count to give ngettext for an amount of hours as short_hours shows it, by the language's own rule (CLDR):
    French says 1,5 heure (singular below 2), English 1.5 hours and 1 hour; the catalog gives the words of each form."""
    from babel import Locale

    return 1 if Locale.parse(language()).plural_form(abs(value).normalize()) == "one" else 2


def word(value: str) -> str:
    """A value of the books that is a word (a status, a role, an outcome, a meeting's state, a field's name), in the
    reader's language. Files, CSV and JSON keep the English word: it is data, and scripts read it. (Entry kinds show
    in CSV and JSON only.)"""
    words = {
        "active": pgettext("value", "active"),
        "suspended": pgettext("value", "suspended"),
        "left": pgettext("value", "left"),
        "treasurer": pgettext("value", "treasurer"),
        "secretary": pgettext("value", "secretary"),
        "auditor": pgettext("value", "auditor"),
        "adopted": pgettext("value", "adopted"),
        "rejected": pgettext("value", "rejected"),
        "no quorum": pgettext("value", "no quorum"),
        "open": pgettext("value", "open"),
        "closed": pgettext("value", "closed"),
        "consensus": pgettext("value", "consensus"),
        "verified": pgettext("value", "verified"),
        "NOT VERIFIED": pgettext("value", "NOT VERIFIED"),
        # the fields of `member show` and `meeting show`
        "id": pgettext("field", "id"),
        "name": pgettext("field", "name"),
        "since": pgettext("field", "since"),
        "status": pgettext("field", "status"),
        "roles": pgettext("field", "roles"),
        "balance": pgettext("field", "balance"),
        "keys": pgettext("field", "keys"),
        "offers": pgettext("field", "offers"),
        "wants": pgettext("field", "wants"),
        "meeting": pgettext("field", "meeting"),
        "title": pgettext("field", "title"),
        "date": pgettext("field", "date"),
        "duration": pgettext("field", "duration"),
        "place": pgettext("field", "place"),
        "attendees": pgettext("field", "attendees"),
        "note": pgettext("field", "note"),
    }
    return words.get(value, value)
