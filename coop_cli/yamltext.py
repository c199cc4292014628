"""YAML as coop reads and rewrites it: one reader for charter.md's rules and members.yaml, and rewrites that keep comments.

`read` is the only way coop reads those files: YAML 1.2's core schema, refusing every value YAML 1.1 reads otherwise.
"""

from __future__ import annotations

import functools
import io
import math
import re
from datetime import date
from decimal import Decimal
from typing import Any

from coop_cli.errors import CoopError
from coop_cli.i18n import _

MAX_YAML_BYTES = 1_000_000


class Mapping(dict):
    """A YAML mapping as a dict, with the 1-based line of each key."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.lines: dict[Any, int] = {}


class Sequence(list):
    """A YAML list, with the 1-based line of each item."""

    def __init__(self, line: int):
        super().__init__()
        self.line = line
        self.lines: list[int] = []


class _Unreadable:
    """A reading that is no value coop can hold (a YAML 1.1 merge key, a time of day...): equal to nothing."""

    def __init__(self, description: str):
        self.description = description


# ---------------------------------------------------------------- plain scalars, as each reader reads them

_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLEANS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_SPECIAL_FLOATS = {
    **{sign + inf: Decimal(sign + "Infinity") for sign in ("", "+", "-") for inf in (".inf", ".Inf", ".INF")},
    **{nan: Decimal("NaN") for nan in (".nan", ".NaN", ".NAN")},
}
_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIMESTAMP = (  # YAML 1.1's timestamp with a time of day; ruamel.yaml reads it in 1.2 too
    r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?"
)
# YAML 1.2's core schema (yaml.org/spec/1.2.2, 10.3.2).
_CORE_INT = r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
_CORE_FLOAT = r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?"
# YAML 1.1's types (yaml.org/type/: bool, int, float, timestamp, merge, value).
_BOOLEANS_11 = {
    **{word: True for word in ("y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE")},
    **{word: False for word in ("n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE")},
}
_INT_11 = r"[-+]?(0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)"
_FLOAT_11 = r"[-+]?(([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?|[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|\.(inf|Inf|INF))|\.(nan|NaN|NAN)"
# ruamel.yaml's own reading of YAML 1.2 (it rewrites these files): underscores, 0b and signed prefixes as numbers.
_INT_RUAMEL = r"[-+]?(0b[01_]+|0o?[0-7_]+|[0-9_]+|0x[0-9a-fA-F_]+)"
_FLOAT_RUAMEL = (
    r"[-+]?([0-9][0-9_]*\.[0-9_]*([eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+|\.[0-9_]+([eE][-+][0-9]+)?|\.(inf|Inf|INF))|\.(nan|NaN|NAN)"
)
# Only these first characters start a number, a date, `~`, `<<` or `=`; of words, only null and YAML 1.1's booleans are not text.
_MAYBE_NOT_TEXT = set("0123456789+-.~<=")


def _core(text: str) -> Any:
    """YAML 1.2's core schema, numbers read exactly (Decimal), and `YYYY-MM-DD` a date as every other reader has it."""
    if text in _NULLS:
        return None
    if text in _BOOLEANS:
        return _BOOLEANS[text]
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if re.fullmatch(_CORE_INT, text) or re.fullmatch(_CORE_FLOAT, text):
        return _number(text, integer=bool(re.fullmatch(_CORE_INT, text)), octal_zero=False)
    if re.fullmatch(_DAY, text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return _Unreadable(_("a date that is no day of the calendar"))
    return text


def _yaml11(text: str) -> Any:
    return _older(text, _BOOLEANS_11, _INT_11, _FLOAT_11, octal_zero=True)


def _ruamel(text: str) -> Any:
    return _older(text, _BOOLEANS, _INT_RUAMEL, _FLOAT_RUAMEL, octal_zero=False)


def _older(text: str, booleans: dict[str, bool], integer: str, decimal: str, octal_zero: bool) -> Any:
    if text in _NULLS:
        return None
    if text in booleans:
        return booleans[text]
    if text in ("<<", "="):
        return _Unreadable(_("a merge of another mapping into this one") if text == "<<" else _("the default value of a mapping"))
    if re.fullmatch(_TIMESTAMP, text):
        return _Unreadable(_("a date and time"))
    if re.fullmatch(_DAY, text):
        return _core(text)
    if re.fullmatch(decimal, text):
        return _number(text, integer=False, octal_zero=octal_zero)
    if re.fullmatch(integer, text):
        return _number(text, integer=True, octal_zero=octal_zero)
    return text


def _number(text: str, integer: bool, octal_zero: bool) -> Any:
    """A number written with a sign, underscores, a base prefix (0b 0o 0x, or 0 for octal in YAML 1.1) or in sixties (1:30)."""
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-").replace("_", "")
    try:
        if ":" in digits:
            *sixties, last = digits.split(":")
            number = int(last) if integer else Decimal(last)
            return sign * sum((int(part) * 60**power for power, part in enumerate(reversed(sixties), start=1)), number)
        if not integer:
            return sign * Decimal(digits)
        if digits[:2] in ("0b", "0o", "0x"):
            return sign * int(digits[2:], {"0b": 2, "0o": 8, "0x": 16}[digits[:2]])
        return sign * int(digits, 8 if octal_zero and digits.startswith("0") else 10)
    except (ValueError, ArithmeticError):  # `1.2.` to YAML 1.1, or more than the 4 300 digits Python reads in an int
        return _Unreadable(_("a number that cannot be computed"))


def _pyyaml(text: str) -> Any:
    """What PyYAML reads: YAML 1.1 as most tools read it (`+.5` is text to it, a number to the 1.1 repository)."""
    import yaml

    global _PYYAML
    if _PYYAML is None:
        _PYYAML = yaml.SafeLoader("")
    tag = _PYYAML.resolve(yaml.ScalarNode, text, (True, False))
    construct = _PYYAML.yaml_constructors.get(tag)
    try:
        return construct(_PYYAML, yaml.ScalarNode(tag, text)) if construct else _Unreadable(_("no value PyYAML can build"))
    except (ValueError, ArithmeticError, yaml.YAMLError):
        return _Unreadable(_("no value PyYAML can build"))


_PYYAML: Any = None


def _same(one: Any, other: Any) -> bool:
    if isinstance(one, _Unreadable) or isinstance(other, _Unreadable):
        return False
    if isinstance(one, (float, Decimal)) and isinstance(other, (float, Decimal)):
        return (math.isnan(one) and math.isnan(other)) or float(one) == float(other)
    return type(one) is type(other) and one == other


class _Conflict(_Unreadable):
    """A plain scalar that YAML 1.2's core schema reads as `value` and another reader as `other`."""

    def __init__(self, value: Any, other: Any, reader: str):
        super().__init__("")
        self.value, self.other, self.reader = value, other, reader


@functools.lru_cache(maxsize=4096)  # a register repeats its keys, dates and roles
def plain(text: str) -> Any:
    """A plain (unquoted) scalar as coop reads it, or `_Unreadable` when it is no value, or when readers disagree on it.

    The readers compared: YAML 1.2's core schema (what coop reads), the YAML 1.1 type repository, PyYAML (YAML 1.1)
    and ruamel.yaml (YAML 1.2 with extensions), so that no tool a member may use reads these files otherwise.
    """
    if text and text[0] not in _MAYBE_NOT_TEXT and text not in _BOOLEANS_11 and text not in _NULLS:
        return text
    agreed = _agreed(text)
    if agreed is not _NOT_AGREED:
        return agreed
    value = _core(text)
    if isinstance(value, _Unreadable):
        return value
    for reader, reading in (("YAML 1.1", _yaml11), ("PyYAML", _pyyaml), ("ruamel.yaml", _ruamel)):
        other = reading(text)
        if not _same(value, other):
            return _Conflict(value, other, reader)
    return value


_AGREED_WORDS = {**_BOOLEANS, **dict.fromkeys(_NULLS)}
_NOT_AGREED = object()


def _agreed(text: str) -> Any:
    """The forms every reader reads alike, known without a regular expression: `true`, `null`, `24`, `-0.25`, `2020-03-10`."""
    if text in _AGREED_WORDS:
        return _AGREED_WORDS[text]
    digits = text[1:] if text[:1] == "-" else text
    whole, point, fraction = digits.partition(".")
    if 0 < len(whole) <= 18 and whole.isascii() and whole.isdigit() and (whole == "0" or whole[0] != "0"):
        if not point:
            return int(text)
        if fraction.isascii() and fraction.isdigit():
            return Decimal(text)
    day_digits = text[:4] + text[5:7] + text[8:]
    if len(text) == 10 and text[4] == text[7] == "-" and day_digits.isascii() and day_digits.isdigit():
        try:
            return date.fromisoformat(text)
        except ValueError:
            return _NOT_AGREED
    return _NOT_AGREED


def reads_as_text(text: str) -> bool:
    """Whether `text`, written unquoted, is read back as this very text (otherwise it must be written in quotes)."""
    return plain(text) == text


def _describe(value: Any) -> str:
    if isinstance(value, _Unreadable):
        return value.description
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal, float)):
        return _("the number {number}").format(number=value)
    if isinstance(value, date):
        return _("the date {day}").format(day=value.isoformat())
    return _("the text {text!r}").format(text=value)


# ---------------------------------------------------------------- the one reader

def read(text: str, what: str, first_line: int = 1) -> Any:
    """The plain data of a YAML document (dicts, lists, str, int, Decimal, bool, None, date), or one sentence refusing it.

    `first_line` is the line of `what` where `text` begins, so that every refusal names the file's own line.
    """
    import yaml

    if len(text.encode("utf-8")) > MAX_YAML_BYTES:
        raise CoopError(_("{what} is larger than {n} bytes; coop refuses to read it").format(what=what, n=MAX_YAML_BYTES))
    # Readers disagree on these: where a tab may stand; NEL, LS and PS end a line for YAML 1.1 and not for 1.2; a BOM.
    for character in ("\t", "\x85", "\u2028", "\u2029", "\ufeff"):
        if character in text:
            line = first_line + text.count("\n", 0, text.index(character))
            if character == "\t":
                raise CoopError(_("{what}:{line}: a tab character; coop reads these files indented with spaces only").format(what=what, line=line))
            raise CoopError(
                _("{what}:{line}: YAML readers read the character U+{code:04X} each their way; coop refuses it").format(
                    what=what, line=line, code=ord(character)
                )
            )
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        return _Builder(what, first_line).build(loader)
    except yaml.MarkedYAMLError as problem:
        mark = problem.problem_mark or problem.context_mark
        line = f":{mark.line + first_line}" if mark is not None else ""
        reason = problem.problem or str(problem).splitlines()[0]
        raise CoopError(_("{what}{line} is not valid YAML: {reason}").format(what=what, line=line, reason=reason)) from None
    except yaml.YAMLError as problem:
        reason = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
        raise CoopError(_("{what} is not valid YAML: {reason}").format(what=what, reason=reason)) from None
    finally:
        loader.dispose()


class _Open:
    """A mapping or list being read: what it holds so far, the key it stands under, and a key waiting for its value."""

    __slots__ = ("container", "is_mapping", "name", "key", "key_text", "waiting")

    def __init__(self, container: Mapping | Sequence, is_mapping: bool, name: str | None):
        self.container, self.is_mapping, self.name = container, is_mapping, name
        self.key: Any = None
        self.key_text: str | None = None
        self.waiting = False

    def naming(self) -> str | None:
        """The key a value read now stands under, as written: a mapping's key, or the key of the list it is in."""
        return self.key_text if self.is_mapping else self.name


class _Builder:
    """Plain data from the parser's events, refusing on the way whatever two readers could read differently."""

    def __init__(self, what: str, first_line: int):
        self.what = what
        self.first_line = first_line
        self.documents = 0

    def build(self, loader: Any) -> Any:
        import yaml

        stack: list[_Open] = []
        document: Any = None
        while True:
            event = loader.get_event()
            kind = type(event)
            if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                stack.pop()
                continue
            if kind is not yaml.ScalarEvent and kind is not yaml.MappingStartEvent and kind is not yaml.SequenceStartEvent:
                if kind is yaml.StreamEndEvent:
                    return document
                self._frame(event)
                continue
            line = event.start_mark.line + self.first_line
            if event.anchor is not None:
                raise CoopError(_("{where}: anchors and aliases (&{name}, *{name}) are refused: write the value itself").format(
                    where=self._where(line), name=event.anchor))
            if event.tag is not None:
                raise CoopError(_("{where}: the tag {tag} is refused: coop reads only plain values").format(where=self._where(line), tag=event.tag))
            top = stack[-1] if stack else None
            is_key = top is not None and top.is_mapping and not top.waiting
            if kind is yaml.ScalarEvent:
                value = self._scalar(event, line, top, is_key)
            elif is_key:
                raise CoopError(_("{where}: a key must be text, not a list or a mapping").format(where=self._where(line)))
            else:
                value = Mapping(line) if kind is yaml.MappingStartEvent else Sequence(line)
            if top is None:
                document = value
            elif not top.is_mapping:
                top.container.append(value)
                top.container.lines.append(line)
            elif is_key:
                if type(value) is not str:  # no `1` beside `true` (one key to Python), no empty key that readers place apart
                    raise CoopError(_("{where}: the key {key} is read as {reading}; a key must be text").format(
                        where=self._where(line), key=_shown(event.value), reading=_describe(value)))
                if value in top.container:
                    raise CoopError(_("{where}: the key {key} appears twice in the same mapping (first on line {first})").format(
                        where=self._where(line), key=_shown(value), first=top.container.lines[value]))
                top.key, top.key_text, top.waiting = value, event.value, True
                top.container.lines[value] = line
            else:
                top.container[top.key] = value
                top.waiting = False
            if kind is not yaml.ScalarEvent:
                stack.append(_Open(value, kind is yaml.MappingStartEvent, top.naming() if top is not None else None))

    def _frame(self, event: Any) -> None:
        """The events around the data: one document, without directives or markers, and no aliases."""
        import yaml

        where = self._where(event.start_mark.line + self.first_line)
        if isinstance(event, yaml.AliasEvent):
            raise CoopError(_("{where}: anchors and aliases (&{name}, *{name}) are refused: write the value itself").format(where=where, name=event.anchor))
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise CoopError(_("{where}: a second YAML document begins here; coop reads one").format(where=where))
            if event.version or event.tags:
                raise CoopError(_("{where}: the %YAML and %TAG directives change how values are read; coop refuses them").format(where=where))
        if isinstance(event, (yaml.DocumentStartEvent, yaml.DocumentEndEvent)) and event.explicit:
            # readers disagree on where documents begin and end around these markers
            raise CoopError(_("{where}: coop reads one document without the markers --- and ...").format(where=where))

    def _where(self, line: int) -> str:
        return f"{self.what}:{line}"

    def _scalar(self, event: Any, line: int, top: _Open | None, is_key: bool) -> Any:
        if event.style in ("|", ">") or event.end_mark.line != event.start_mark.line:  # readers fold lines each their way
            raise CoopError(_("{where}: a value spans several lines; coop reads each value on one line").format(where=self._where(line)))
        if event.style:  # quoted: always text
            return event.value
        value = plain(event.value)
        if not isinstance(value, _Unreadable):
            return value
        where = self._where(line)
        shown = _shown(event.value)
        key = top.naming() if top is not None else None
        if is_key:
            subject = _("the key {key}").format(key=shown)
        else:
            subject = shown if key is None else f"{_shown(key)}: {shown}"
        if isinstance(value, _Conflict):
            raise CoopError(
                _("{where}: {subject} is read as {new} by YAML 1.2 but as {old} by {reader}; write it so that every reader agrees (text in quotes)").format(
                    where=where, subject=subject, new=_describe(value.value), old=_describe(value.other), reader=value.reader
                )
            )
        raise CoopError(_("{where}: {subject} is {reading}; coop refuses it").format(where=where, subject=subject, reading=value.description))




def _shown(text: str) -> str:
    """A value as a one-line message shows it: short, and with any line break or control character escaped."""
    text = text if len(text) <= 40 else text[:40] + "…"
    return text if text.isprintable() else repr(text)


# ---------------------------------------------------------------- rewriting with the comments kept

def _yaml():
    from ruamel.yaml import YAML  # imported here: it costs start-up time that read-only commands do not need

    yaml = YAML(typ="rt")
    yaml.allow_unicode = True
    yaml.width = 4096  # never fold an SSH key or a name across lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    yaml.Representer = _representer()
    return yaml


@functools.cache
def _representer():
    from ruamel.yaml.representer import RoundTripRepresenter

    class Representer(RoundTripRepresenter):
        """Text that the one reader would not read back as this text (`yes`, `1:30`, `2020-03-10`) is written in quotes."""

        def represent_str(self, data: str) -> Any:
            if reads_as_text(data):
                return super().represent_str(data)
            return self.represent_scalar("tag:yaml.org,2002:str", data, style='"')

    Representer.add_representer(str, Representer.represent_str)
    return Representer


def load(text: str, what: str) -> Any:
    """The comment-keeping document of a file already read with `read`: only to rewrite it, never to read values from it."""
    from ruamel.yaml.error import YAMLError

    try:
        return _yaml().load(text)
    except (YAMLError, ValueError, TypeError, LookupError, RecursionError) as problem:
        reason = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
        raise CoopError(_("{what} is not valid YAML: {reason}").format(what=what, reason=reason)) from None


def dump(document: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def line_of(node: Any, index: int | str | None = None) -> int | None:
    """The 1-based line of a mapping or list (or of one of its items or keys) as `read` found it."""
    if index is None:
        return getattr(node, "line", None)
    lines = getattr(node, "lines", None)
    try:
        return lines[index] if lines is not None else None
    except (KeyError, IndexError, TypeError):
        return None
