"""`coop statement MEMBER`: one member's exchanges with a running balance.

As a table, CSV or JSON, or with --html a one-page statement to print for a member who never opens a terminal.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import typer

from coop_cli import i18n, reports
from coop_cli.cli.options import FORMAT, Format, state
from coop_cli.cli.output import Column, emit
from coop_cli.errors import BadInput
from coop_cli.i18n import N_, _
from coop_cli.members import Register
from coop_cli.model import COOP_ACCOUNT, member_account, parse_date
from coop_cli.repo import Coop


def register(app: typer.Typer) -> None:
    app.command("statement", help=_(
        "One member's exchanges with the running balance (`coop` for the coop's own account).\n\n"
        "--html FILE writes a one-page statement to print for a member who does not use a terminal.\n\n"
        "Example: coop statement agnes --from 2026-01-01 --to 2026-03-31"
    ))(statement)


COLUMNS = [
    Column("date", N_("Date")),
    Column("id", N_("Id"), no_wrap=True),
    Column("description", N_("Description")),
    Column("counterparty", N_("With")),
    Column("amount", N_("Hours"), numeric=True),
    Column("balance", N_("Balance"), numeric=True),
]
# Scripts also get each entry's kind and, for a reversal, the entry it undoes; the first row is the opening balance.
DATA = [*COLUMNS, Column("kind", ""), Column("reverses", ""), Column("reverses_date", ""), Column("reverses_description", "")]


def statement(
    ctx: typer.Context,
    member: str = typer.Argument(..., metavar="MEMBER"),
    start: str = typer.Option(None, "--from", metavar="YYYY-MM-DD", help=N_("First day (earlier exchanges make the opening balance).")),
    end: str = typer.Option(None, "--to", metavar="YYYY-MM-DD", help=N_("Last day.")),
    fmt: Format = FORMAT,
    html_file: Path = typer.Option(None, "--html", metavar="FILE", help=N_("Write a printable page with a chart of the balance to FILE instead of printing.")),
) -> None:
    coop = state(ctx).coop()
    register = coop.register()
    register.require_party(member)
    account = COOP_ACCOUNT if member == COOP_ACCOUNT else member_account(member)
    first, last = parse_date(start, "--from") if start else None, parse_date(end, "--to") if end else None
    if first and last and last < first:
        raise BadInput(_("--to {to} is before --from {start}: the statement would be empty").format(to=last, start=first))
    opening, rows = reports.statement(coop.readable_entries(), account, first, last)
    if html_file is not None:
        _write_html(coop, register, member, first, last, opening, rows, html_file)
        return
    if fmt is Format.table:
        title = _("Statement of {member}, opening balance {opening}").format(member=member, opening=i18n.hours(opening))
        emit([{**row.__dict__, "description": reports.statement_description(row)} for row in rows], COLUMNS, fmt, title=title)
        return
    opening_row = {"date": first, "kind": "opening", "description": "Opening balance", "balance": opening}  # data: English whatever the locale
    emit([opening_row, *(row.__dict__ for row in rows)], DATA, fmt)


def _write_html(coop: Coop, register: Register, member: str, first: date | None, last: date | None, opening: Decimal, rows: list[reports.StatementRow], path: Path) -> None:
    """The statement as a page to print for a member who never opens a terminal."""
    from coop_cli import html
    from coop_cli.cli.report import write_page

    charter = coop.charter()
    names = {m.id: m.name for m in register.members}
    name = names.get(member) or _("the coop account")
    view = html.StatementView(member, name, first, last, opening, rows, names)
    typer.echo(_("Wrote {file}").format(file=write_page(path, html.statement_page(view, charter))))
