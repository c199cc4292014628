"""The translation layer for real: the French catalog covers the code, is compiled from its .po, and coop speaks it.

When a message changes in the code, run scripts/update-translations, translate what it reports, and run it again.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import string
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "coop_cli" / "locale"
POT = LOCALE / "coop.pot"
PO = LOCALE / "fr" / "LC_MESSAGES" / "coop.po"
MO = LOCALE / "fr" / "LC_MESSAGES" / "coop.mo"
SCRIPT = ROOT / "scripts" / "update-translations"
REFRESH = "run scripts/update-translations, translate what it reports, and commit coop.pot, coop.po and coop.mo"


# ---------------------------------------------------------------- a small .po reader

@dataclass
class Message:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def __str__(self) -> str:
        return f"{PO.name}:{self.line}: {self.msgid!r}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def _unquote(quoted: str) -> str:
    assert quoted.startswith('"') and quoted.endswith('"'), quoted
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m[1]], quoted[1:-1])


def read_po(path: Path) -> list[Message]:
    """Every entry of a .po or .pot file, the header (msgid "") first; entries are separated by blank lines."""
    messages: list[Message] = []
    for number, block in _blocks(path.read_text(encoding="utf-8")):
        message, target = Message(line=number), None
        for line in block:
            if line.startswith("#~"):
                message.obsolete = True
                line = line[2:].lstrip()
            if line.startswith("#,"):
                message.flags |= {flag.strip() for flag in line[2:].split(",")}
                continue
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                _append(message, target, _unquote(line))
                continue
            keyword = _KEYWORD.match(line)
            assert keyword, f"{path}:{number}: cannot read {line!r}"
            target = keyword[1] if keyword[2] is None else int(keyword[2])
            if target == "msgstr":
                target = 0
            if isinstance(target, int):
                message.msgstr.extend([""] * (target + 1 - len(message.msgstr)))
            _set(message, target, _unquote(keyword[3]))
        messages.append(message)
    return messages


def _blocks(text: str):
    block, start = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            block, start = block + [line], start or number
        elif block:
            yield start, block
            block, start = [], 0
    if block:
        yield start, block


def _set(message: Message, target, value: str) -> None:
    if isinstance(target, int):
        message.msgstr[target] = value
    else:
        setattr(message, target, value)


def _append(message: Message, target, value: str) -> None:
    current = message.msgstr[target] if isinstance(target, int) else getattr(message, target)
    _set(message, target, current + value)


def entries(path: Path) -> list[Message]:
    """The messages proper: no header, no obsolete entries."""
    return [m for m in read_po(path) if m.msgid and not m.obsolete]


def header(path: Path) -> dict[str, str]:
    first = read_po(path)[0]
    assert first.msgid == "", f"{path}: the header entry must come first"
    return dict(line.split(": ", 1) for line in first.msgstr[0].splitlines() if ": " in line)


def placeholders(text: str) -> set[tuple[str, str | None, str | None]]:
    """The `{name!conversion:spec}` fields of a str.format template (ValueError if its braces do not balance)."""
    return {(name, conversion, spec) for _literal, name, spec, conversion in string.Formatter().parse(text) if name is not None}


# ---------------------------------------------------------------- the files agree with each other and with the code

def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing: install GNU gettext (apt-get install gettext)")
    return path


def test_the_mo_is_exactly_what_msgfmt_makes_of_the_po(tmp_path: Path) -> None:
    compiled = tmp_path / "coop.mo"
    subprocess.run([need("msgfmt"), "--check", "-o", str(compiled), str(PO)], check=True, capture_output=True)
    assert compiled.read_bytes() == MO.read_bytes(), f"{MO.relative_to(ROOT)} is stale: {REFRESH}"


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package and the script, with the script run once: its .pot is what the code holds today."""
    need("xgettext"), need("msgmerge"), need("msgfmt"), need("msginit")
    copy = tmp_path_factory.mktemp("translations")
    shutil.copytree(ROOT / "coop_cli", copy / "coop_cli", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (copy / "scripts").mkdir()
    shutil.copy2(SCRIPT, copy / "scripts" / SCRIPT.name)
    run_script(copy)
    return copy


def run_script(copy: Path) -> None:
    done = subprocess.run(["bash", str(copy / "scripts" / SCRIPT.name)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"scripts/update-translations failed:\n{done.stdout}{done.stderr}")


def test_the_pot_holds_every_message_of_the_code_and_no_other(refreshed: Path) -> None:
    in_code = {m.key for m in entries(refreshed / "coop_cli" / "locale" / "coop.pot")}
    committed = {m.key for m in entries(POT)}
    assert in_code, "xgettext found no message at all in coop_cli"
    assert committed == in_code, (
        f"{POT.relative_to(ROOT)} is out of date: {REFRESH}\n"
        f"new in the code: {sorted(in_code - committed)}\ngone from the code: {sorted(committed - in_code)}"
    )


def test_the_french_po_holds_every_message_of_the_code(refreshed: Path) -> None:
    in_code = {m.key for m in entries(refreshed / "coop_cli" / "locale" / "coop.pot")}
    in_po = {m.key for m in entries(PO)}
    assert in_po == in_code, f"{PO.relative_to(ROOT)}: {REFRESH}\nmissing: {sorted(in_code - in_po)}\nextra: {sorted(in_po - in_code)}"


def test_the_script_changes_nothing_when_run_again(refreshed: Path) -> None:
    locale = refreshed / "coop_cli" / "locale"
    before = {p: p.read_bytes() for p in sorted(locale.rglob("*")) if p.is_file()}
    run_script(refreshed)
    after = {p: p.read_bytes() for p in sorted(locale.rglob("*")) if p.is_file()}
    assert after == before


def test_the_french_header_declares_utf8_and_french_plurals() -> None:
    fields = header(PO)
    assert fields["Language"] == "fr"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n > 1);"
    assert "fuzzy" not in read_po(PO)[0].flags, "a fuzzy header is ignored by msgfmt, and with it the charset"


def test_no_message_is_built_before_it_is_translated() -> None:
    """`_(f"...")` or `_("..." + x)` hides the message from xgettext, and gettext then finds no translation."""
    built = []
    for path in sorted((ROOT / "coop_cli").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_", "ngettext", "pgettext"):
                for argument in node.args[:2]:
                    if isinstance(argument, (ast.JoinedStr, ast.BinOp)) or (
                            isinstance(argument, ast.Call) and isinstance(argument.func, ast.Attribute) and isinstance(argument.func.value, ast.Constant)):
                        built.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert built == []


# ---------------------------------------------------------------- every translation is there and fits its message

def test_every_message_has_a_french_translation_that_is_not_fuzzy() -> None:
    messages = entries(PO)
    assert messages
    untranslated = [str(m) for m in messages if not m.msgstr or not all(s.strip() for s in m.msgstr)]
    fuzzy = [str(m) for m in messages if "fuzzy" in m.flags]
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy (check the translation, then remove the flag): {fuzzy}"
    plurals = [m for m in messages if m.msgid_plural is not None]
    assert all(len(m.msgstr) == 2 for m in plurals), [str(m) for m in plurals if len(m.msgstr) != 2]


def test_every_translation_keeps_exactly_the_placeholders_of_its_message() -> None:
    wrong = []
    for message in entries(PO):
        expected = placeholders(message.msgid_plural if message.msgid_plural is not None else message.msgid)
        for index, translation in enumerate(message.msgstr):
            try:
                found = placeholders(translation)
            except ValueError as problem:
                wrong.append(f"{message}: msgstr[{index}] is not a valid format string ({problem})")
                continue
            # French uses the singular for 0 and 1; it may name the count or not, as the English singular does.
            allowed = [expected, placeholders(message.msgid)] if index == 0 else [expected]
            if found not in allowed:
                wrong.append(f"{message}: msgstr[{index}] has {sorted(found)}, expected {sorted(expected)}")
    assert wrong == []


def _kept(pattern: str) -> list[str]:
    """Messages whose matches of `pattern` (commands, options, files, rule names) differ in the translation. The books'
    words shown in tables and pages (msgctxt "value": `treasurer` shown as trésorerie) are the one exception: a sentence
    keeps the word the command line takes."""
    wrong = []
    for message in entries(PO):
        if message.msgctxt == "value":
            continue
        wanted = sorted(set(re.findall(pattern, message.msgid)))
        for translation in message.msgstr:
            missing = [token for token in wanted if token not in translation]
            if missing:
                wrong.append(f"{message}: lost {missing}")
    return wrong


def test_options_files_rules_roles_and_quoted_commands_stay_untranslated() -> None:
    option = r"(?<![\w-])--[a-z][a-z-]*"
    file = r"\b[\w*]+\.(?:yaml|md|pub|csv|journal)\b"
    rule = r"\b[a-z]+_[a-z_]+\b"
    role = r"\b(?:treasurer|secretary|auditor)\b"
    code = r"`[^`]+`"
    assert _kept("|".join((option, file, rule, role, code))) == []


def test_help_examples_keep_their_command_word_for_word() -> None:
    wrong = []
    for message in entries(PO):
        for example in re.findall(r"^Example: (.*)$", message.msgid, re.MULTILINE):
            if f"Exemple : {example}" not in message.msgstr[0].splitlines():
                wrong.append(f"{message}: expected the line 'Exemple : {example}'")
    assert wrong == []


def test_french_punctuation_has_a_space_before_semicolons_and_question_and_exclamation_marks() -> None:
    wrong = [
        f"{message}: {translation!r}"
        for message in entries(PO)
        for translation in message.msgstr
        if re.search(r"[^\s'\"][;?!](\s|$)", translation)
    ]
    assert wrong == []


def test_the_compiled_catalog_answers_every_message_and_chooses_french_plurals() -> None:
    with MO.open("rb") as stream:
        catalog = gettext.GNUTranslations(stream)
    for message in entries(PO):
        if message.msgid_plural is None:
            found = catalog.pgettext(message.msgctxt, message.msgid) if message.msgctxt else catalog.gettext(message.msgid)
            assert found == message.msgstr[0]
        else:
            singular, plural = message.msgstr
            assert [catalog.ngettext(message.msgid, message.msgid_plural, n) for n in (0, 1, 2, 5)] == [singular, singular, plural, plural]


# ---------------------------------------------------------------- coop speaks French when asked

def french() -> gettext.GNUTranslations:
    with MO.open("rb") as stream:
        return gettext.GNUTranslations(stream)


def msgid_starting(prefix: str) -> str:
    found = [m.msgid for m in entries(POT) if m.msgid.startswith(prefix)]
    assert len(found) == 1, f"expected one message starting {prefix!r} in {POT.name}, found {found}"
    return found[0]


def env(**extra: str) -> dict[str, str]:
    """coop's environment under test: no COOP_* settings, no locale but the one a test gives, a fixed width."""
    locale_vars = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}
    result = {k: v for k, v in os.environ.items() if not k.startswith("COOP_") and k not in locale_vars}
    result.update({"LC_ALL": "C.UTF-8", "COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb", "PYTHONUTF8": "1"})
    result.update(extra)
    return {k: v for k, v in result.items() if v}


def coop(*args: str, cwd: Path, environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "coop_cli", *args], cwd=cwd, env=environment, capture_output=True, text=True)


@pytest.mark.parametrize(
    "args, environment, language",
    [
        (["--lang", "fr"], env(), "fr"),
        (["--lang=fr"], env(LANGUAGE="en"), "fr"),
        ([], env(LANGUAGE="fr"), "fr"),
        ([], env(LC_ALL="", LANG="fr_FR.UTF-8"), "fr"),
        (["--lang", "en"], env(LANGUAGE="fr"), "en"),
        ([], env(), "en"),
    ],
    ids=["--lang fr", "--lang=fr over LANGUAGE=en", "LANGUAGE=fr", "LANG=fr_FR.UTF-8", "--lang en over LANGUAGE=fr", "C locale"],
)
def test_errors_speak_the_chosen_language(tmp_path: Path, args: list[str], environment: dict[str, str], language: str) -> None:
    outside = tmp_path / "nowhere"
    outside.mkdir()
    done = coop(*args, "balance", cwd=outside, environment=environment)
    no_coop = msgid_starting("no coop repository in {start}")
    translation = french() if language == "fr" else gettext.NullTranslations()
    sentence = translation.gettext(no_coop).format(start=outside.resolve())
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == translation.gettext("error: {message}").format(message=sentence) + "\n"
    assert done.stderr.startswith("erreur : aucun dépôt coop dans " if language == "fr" else "error: no coop repository in ")


def _flat(text: str) -> str:
    """Help is rewrapped to the terminal's width: compare text with its whitespace collapsed."""
    return " ".join(text.split())


@pytest.mark.parametrize("command", [[], ["record"], ["member", "add"]])
def test_help_is_french_with_lang_fr(tmp_path: Path, command: list[str]) -> None:
    done = coop("--lang", "fr", *command, "--help", cwd=tmp_path, environment=env())
    assert done.returncode == 0, done.stderr
    english = subprocess.run(
        [sys.executable, "-m", "coop_cli", "--lang", "en", *command, "--help"], cwd=tmp_path, env=env(), capture_output=True, text=True
    ).stdout
    catalog = french()
    # Whole phrases only: a one-word column title could match by chance inside a longer text.
    shown = [m.msgid for m in entries(PO) if m.msgid_plural is None and " " in m.msgid and _flat(m.msgid) in _flat(english)]
    assert shown, "the English help shows none of the catalog's messages"
    for msgid in shown:
        assert _flat(catalog.gettext(msgid)) in _flat(done.stdout), f"missing from the French help: {catalog.gettext(msgid)!r}"
    assert done.stdout != english
