"""`coop statement MEMBER`: one member's exchanges with a running balance."""

import typer

from coop_cli import reports
from coop_cli.cli.options import FORMAT, Format, state
from coop_cli.cli.output import Column, emit
from coop_cli.errors import CoopError
from coop_cli.i18n import _
from coop_cli.model import COOP_ACCOUNT, format_hours, member_account, parse_date


def register(app: typer.Typer) -> None:
    app.command("statement", help=_(
        "One member's exchanges with the running balance (`coop` for the coop's own account).\n\n"
        "Example: coop statement agnes --from 2026-01-01 --to 2026-03-31"
    ))(statement)


COLUMNS = [
    Column("date", _("Date")),
    Column("id", _("Id"), no_wrap=True),
    Column("description", _("Description")),
    Column("counterparty", _("With")),
    Column("amount", _("Hours"), numeric=True),
    Column("balance", _("Balance"), numeric=True),
]


def statement(
    ctx: typer.Context,
    member: str = typer.Argument(..., metavar="MEMBER"),
    start: str = typer.Option(None, "--from", metavar="YYYY-MM-DD", help=_("First day (earlier exchanges make the opening balance).")),
    end: str = typer.Option(None, "--to", metavar="YYYY-MM-DD", help=_("Last day.")),
    fmt: Format = FORMAT,
) -> None:
    coop = state(ctx).coop()
    if member != COOP_ACCOUNT and coop.register().get(member) is None:
        raise CoopError(_("{id!r} is not a member of this coop (see coop member list)").format(id=member))
    account = COOP_ACCOUNT if member == COOP_ACCOUNT else member_account(member)
    opening, rows = reports.statement(
        coop.readable_entries(), account, parse_date(start, "--from") if start else None, parse_date(end, "--to") if end else None
    )
    title = _("Statement of {member}, opening balance {opening}").format(member=member, opening=format_hours(opening)) if fmt is Format.table else None
    emit([row.__dict__ for row in rows], COLUMNS, fmt, title=title)
