"""How commands print: tables drawn by rich for people, in their language; CSV and JSON for scripts, in the files'
words (hours as decimal strings, never floats, dates in ISO, words of the books in English).

Notes and warnings go to stderr so that stdout stays clean for pipes.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from coop_cli import i18n
from coop_cli.cli.options import Format
from coop_cli.i18n import _
from coop_cli.model import format_hours


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # in English, marked with N_: translated when the table is drawn
    numeric: bool = False
    no_wrap: bool = False  # ids must stay whole to be copied into `coop revert`
    words: bool = False    # the books' words (statuses, roles, outcomes): translated in tables, as written in CSV and JSON


class Word(str):
    """A value of the books that is a word (a status, a role, an outcome...): as written in CSV and JSON, translated in tables."""


def text(value: Any) -> str:
    """A cell for scripts: the files' own text."""
    if isinstance(value, Decimal):
        return format_hours(value)
    if isinstance(value, tuple):
        return " ".join(text(v) for v in value)
    return "" if value is None else str(value)


def shown(value: Any) -> str:
    """A cell for people: hours, counts and dates as their language writes them, the books' words translated."""
    if isinstance(value, Word):
        return i18n.word(value)
    if isinstance(value, Decimal):
        return i18n.hours(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return i18n.number(value)
    if type(value) is date:
        return i18n.day(value)
    if isinstance(value, tuple):
        return " ".join(shown(v) for v in value)
    return text(value)


def _as_words(value: Any) -> Any:
    if isinstance(value, tuple):
        return tuple(Word(v) for v in value)
    return Word(value) if isinstance(value, str) else value


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_hours(value)
    if isinstance(value, tuple):
        return text(value)
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)


def emit(rows: list[dict[str, Any]], columns: list[Column], fmt: Format, title: str | None = None, footer: dict[str, Any] | None = None) -> None:
    if fmt is Format.json:
        document = [{c.key: json_value(row.get(c.key)) for c in columns} for row in rows]
        sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    elif fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([c.key for c in columns])
        for row in rows:
            writer.writerow([text(row.get(c.key)) for c in columns])
    else:
        _table(rows, columns, title, footer)


def _table(rows: list[dict[str, Any]], columns: list[Column], title: str | None, footer: dict[str, Any] | None) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, show_footer=footer is not None, title_justify="left")
    for column in columns:
        table.add_column(
            _(column.title) if column.title else "",
            justify="right" if column.numeric else "left",
            no_wrap=column.no_wrap or column.numeric,
            footer=shown((footer or {}).get(column.key)),
        )
    for row in rows:
        # Cells are plain Text: a description such as "Jardinage [urgent]" is what the member wrote, not markup.
        table.add_row(*(Text(shown(_as_words(row.get(c.key)) if c.words else row.get(c.key))) for c in columns))
    console().print(table)


def console():
    from rich.console import Console

    # Into a file or a pipe, a table is as wide as its content: a volunteer printing statements gets every date whole.
    wide = not sys.stdout.isatty() and "COLUMNS" not in os.environ
    return Console(highlight=False, soft_wrap=False, width=1000 if wide else None)


def note(*messages: str) -> None:
    """Each message on a line of stderr: what coop did besides its answer (repairs, warnings)."""
    for message in messages:
        sys.stderr.write(message + "\n")
