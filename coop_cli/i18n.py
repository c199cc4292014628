"""The one translation layer: every user-facing string goes through `_()` (gettext, domain `coop`).

The language comes from `--lang`, else from the locale (LANGUAGE, LC_ALL, LC_MESSAGES, LANG); catalogs live in `coop_cli/locale`.
"""

import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("en", "fr")

_translation: gettext.NullTranslations = gettext.translation("coop", LOCALE_DIR, fallback=True)


def use_language(language: str | None) -> None:
    """Switch every later `_()` to `language` (None: the locale's choice); English needs no catalog."""
    global _translation
    languages = [language] if language else None
    _translation = gettext.translation("coop", LOCALE_DIR, languages=languages, fallback=True)


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
