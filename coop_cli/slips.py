"""Batch files of slips: the CSV a spreadsheet saves, read into exchanges that remember the line and column of each cell.

The separator (`,`, `;` or tab) and the encoding (UTF-8 with or without its mark, else Windows-1252) are found
from the file; a header row may name the columns in French or in English, in any order.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from coop_cli.errors import BadInput, CoopError, Refusals
from coop_cli.i18n import _
from coop_cli.model import Exchange, folded

MAX_BATCH_BYTES = 5_000_000
POSITIONS = ("date", "payer", "earner", "hours", "description", "cat")  # the columns of a file without a header row
REQUIRED = ("payer", "earner", "hours", "description")
HEADERS = {  # header names, without case or accents, and the field each names
    **dict.fromkeys(("date", "jour"), "date"),
    **dict.fromkeys(("payer", "payeur", "payeuse"), "payer"),
    **dict.fromkeys(("earner", "beneficiaire", "receveur", "receveuse"), "earner"),
    **dict.fromkeys(("hours", "heures", "duree", "duration"), "hours"),
    **dict.fromkeys(("description", "libelle"), "description"),
    **dict.fromkeys(("cat", "category", "categorie"), "cat"),
}
SEPARATORS = ("\t", ";", ",")


@dataclass(frozen=True)
class BatchRow(Exchange):
    """One row of a batch file: the exchange as written, its line, and the name of the column each field came from."""

    line: int = 0
    columns: tuple[tuple[str, str], ...] = ()
    problem: str | None = None  # why the row cannot be read: recording names it with every other problem of the batch

    def column(self, field: str) -> str:
        return dict(self.columns).get(field, field)


# ---------------------------------------------------------------- bytes to text

def decode(data: bytes, origin: str, encoding: str | None = None) -> str:
    """The text of a batch file: in `encoding` when given; else UTF-8 (with or without its mark), UTF-16 with its
    mark, or else Windows-1252, what a French spreadsheet saves as plain CSV."""
    if encoding:
        try:
            codec = codecs.lookup(encoding.replace("-", "") if encoding.lower().startswith("latin") else encoding).name
        except LookupError:
            raise BadInput(_("unknown encoding {name!r} (for example utf-8 or cp1252)").format(name=encoding)) from None
        return _decode(data, origin, codec).removeprefix("\ufeff")
    for mark, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(mark):
            return _decode(data, origin, codec)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode(data, origin, "cp1252")


def _decode(data: bytes, origin: str, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as problem:
        line = data[: problem.start].count(b"\n") + 1
        raise CoopError(
            _("{file}:{line}: the file is not {encoding} text (byte 0x{byte:02X}); say how it is encoded with --encoding").format(
                file=origin, line=line, encoding=codec, byte=data[problem.start]
            )
        ) from None


# ---------------------------------------------------------------- text to rows

def read_batch(text: str, origin: str) -> list[BatchRow]:
    """The rows of a batch file, each knowing its line and the name of each column (`D (heures)`).

    Without a header row the columns are date, payer, earner, hours, description and optionally the category.
    Blank rows and rows starting with `#` are skipped. A row that cannot be read carries its problem, so that
    recording names it with the others; a file that cannot be read at all is refused here.
    """
    if len(text) > MAX_BATCH_BYTES:
        raise CoopError(_("{file} is larger than {n} bytes").format(file=origin, n=MAX_BATCH_BYTES))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
    rows: list[BatchRow] = []
    header: Header | None = None
    first = True
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells) or cells[0].strip().startswith("#"):
                continue
            if first and _is_header(cells):
                header = _header(cells, origin, line)
                first = False
                continue
            first = False
            try:
                rows.append(_row(cells, header, line))
            except BadInput as problem:
                rows.append(BatchRow("", "", "", "", line=line, problem=problem.message))
    except csv.Error as problem:
        raise CoopError(_("{file}:{line}: {problem}").format(file=origin, line=reader.line_num, problem=problem)) from None
    if not rows:
        raise CoopError(_("{file} holds no exchanges").format(file=origin))
    return rows


def _separator(text: str) -> str:
    """The separator of the first row that is not blank or a comment: the one that splits it into the columns of a slip."""
    first = next((line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")), "")
    widths = {}
    for separator in SEPARATORS:
        try:
            cells = next(csv.reader([first], delimiter=separator), [])
        except csv.Error:
            continue
        if _is_header(cells) or 5 <= len(_trimmed(cells)) <= 6:
            return separator
        widths[separator] = len(cells)
    return max(reversed(SEPARATORS), key=lambda s: widths.get(s, 0))


def _trimmed(cells: list[str]) -> list[str]:
    """Spreadsheets often save empty cells after the last column: they are not columns."""
    cells = list(cells)
    while len(cells) > 5 and not cells[-1].strip():
        cells.pop()
    return cells


def _is_header(cells: list[str]) -> bool:
    return sum(_header_key(c) in HEADERS for c in cells) >= 2


def _header_key(cell: str) -> str:
    return folded(cell.strip())


@dataclass(frozen=True)
class Header:
    """What a header row says: the field each column holds, and the name the file gives that column."""

    fields: dict[int, str]
    names: dict[int, str]


def _header(cells: list[str], origin: str, line: int) -> Header:
    """Which field each column holds, from the header row; a column with an empty header must stay empty."""
    fields: dict[int, str] = {}
    problems = []
    for index, cell in enumerate(cells):
        if not cell.strip():
            continue
        field = HEADERS.get(_header_key(cell))
        if field is None:
            problems.append(_("{file}:{line}: column {column}: unknown column {name!r}; the columns are {names}").format(
                file=origin, line=line, column=_letter(index), name=cell.strip(), names=_("date, payer, earner, hours, description, cat")))
        elif field in fields.values():
            problems.append(_("{file}:{line}: column {column}: a second column for {field}").format(
                file=origin, line=line, column=_letter(index), field=cell.strip()))
        else:
            fields[index] = field
    missing = [field for field in REQUIRED if field not in fields.values()]
    if missing and not problems:
        problems.append(_("{file}:{line}: the header row has no column for {field}").format(file=origin, line=line, field=field_name(missing[0])))
    if problems:
        raise Refusals(problems)
    return Header(fields, {index: cells[index].strip() for index in fields})


def _row(cells: list[str], header: Header | None, line: int) -> BatchRow:
    if header is None:
        cells = _trimmed(cells)
        if len(cells) not in (5, 6):
            raise BadInput(_("expected 5 or 6 columns (date,payer,earner,hours,description[,cat]), found {n}").format(n=len(cells)))
        positions = dict(enumerate(POSITIONS[: len(cells)]))
        labels = {field: f"{_letter(index)} ({field_name(field)})" for index, field in positions.items()}
    else:
        positions = header.fields
        labels = {field: f"{_letter(index)} ({header.names[index]})" for index, field in positions.items()}
        stray = next((index for index, cell in enumerate(cells) if cell.strip() and index not in positions), None)
        if stray is not None:
            raise BadInput(_("column {column}: this cell is under no column of the header row").format(column=_letter(stray)))
    values = {field: (cells[index].strip() if index < len(cells) else "") for index, field in positions.items()}
    for field in REQUIRED:
        if not values[field]:
            raise BadInput(_("column {column}: the cell is empty").format(column=labels[field]))
    when = None
    if values.get("date"):
        try:
            when = read_day(values["date"]).isoformat()
        except BadInput as problem:
            raise BadInput(_("column {column}: {problem}").format(column=labels["date"], problem=problem.message)) from None
    hours = re.sub(r"^(\d+:\d\d):00$", r"\1", values["hours"])  # a spreadsheet's duration cell: 1:30:00
    return BatchRow(
        values["payer"], values["earner"], hours, values["description"], when, values.get("cat") or None,
        line=line, columns=tuple(labels.items()),
    )


def read_day(text: str) -> date:
    """A date in a batch file: `2026-03-12`, or day first as French spreadsheets write it, `12/03/2026`."""
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text, re.ASCII)
    day_first = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s+0?0:00(?::00)?)?", text, re.ASCII)
    if iso:
        year, month, day = iso.groups()
    elif day_first:
        day, month, year = day_first.groups()
    else:
        raise BadInput(_("cannot read {text!r} as a date (write 12/03/2026, day first, or 2026-03-12)").format(text=text))
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        raise BadInput(_("there is no day {text} in the calendar").format(text=text)) from None


def _letter(index: int) -> str:
    """A column as a spreadsheet names it: A, B, ... Z, AA."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def field_name(field: str) -> str:
    return {"date": _("date"), "payer": _("payer"), "earner": _("earner"), "hours": _("hours"), "description": _("description"), "cat": _("category")}[field]
