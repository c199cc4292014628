"""How commands print: tables drawn by rich, CSV and JSON for scripts (hours as decimal strings, never floats).

Notes and warnings go to stderr so that stdout stays clean for pipes.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from coop_cli.cli.options import Format
from coop_cli.model import format_hours


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    numeric: bool = False
    no_wrap: bool = False  # ids must stay whole to be copied into `coop revert`


def text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format_hours(value)
    return "" if value is None else str(value)


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format_hours(value)
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
            column.title,
            justify="right" if column.numeric else "left",
            no_wrap=column.no_wrap or column.numeric,
            footer=text((footer or {}).get(column.key)),
        )
    for row in rows:
        # Cells are plain Text: a description such as "Jardinage [urgent]" is what the member wrote, not markup.
        table.add_row(*(Text(text(row.get(c.key))) for c in columns))
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
