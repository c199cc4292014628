"""`coop balance`: every account's balance, summing to zero."""

from decimal import Decimal

import typer

from coop_cli import reports
from coop_cli.cli.options import FORMAT, Format, state
from coop_cli.cli.output import Column, emit, note
from coop_cli.cli.report import balance_bar, bar_scale
from coop_cli.i18n import N_, _
from coop_cli.model import account_member, parse_date


def register(app: typer.Typer) -> None:
    app.command("balance", help=_(
        "Balances of every account (members, then the coop's own account); they always sum to zero. "
        "The same figures as `hledger bal` on ledger/*.journal.\n\nExample: coop balance --date 2026-03-31 --format json"
    ))(balance)


TABLE = [
    Column("account", N_("Account")),
    Column("name", N_("Name")),
    Column("status", N_("Status"), words=True),
    Column("balance", N_("Balance"), numeric=True),
]
DATA = [TABLE[0], Column("member", N_("Member")), *TABLE[1:]]  # scripts also get the bare member id
BARS = [*TABLE, Column("bar", "", no_wrap=True)]


def balance(
    ctx: typer.Context,
    until: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help=N_("Balances at the end of this day.")),
    member: str = typer.Option(None, "--member", metavar="MEMBER", help=N_("Only this member (or coop).")),
    fmt: Format = FORMAT,
) -> None:
    coop = state(ctx).coop()
    register = coop.register()
    if member is not None:
        register.require_party(member)
    table = coop.balances(parse_date(until) if until else None)
    rows = [row.__dict__ for row in reports.balance_rows(table, register, member)]
    total = sum(table.values(), reports.ZERO)
    footer = {"account": _("Total"), "balance": total} if member is None else None
    if fmt is Format.table:
        _add_bars(rows, table)
    emit(rows, BARS if fmt is Format.table else DATA, fmt, footer=footer)
    if until is None:
        from coop_cli import trust

        charter = coop.charter()
        note(*(trust.settle_message(who, amount, charter) for who, amount in trust.beyond_limits(table, charter)
               if member in (None, who)))


def _add_bars(rows: list[dict], table: dict[str, Decimal]) -> None:
    """A bar beside each member's balance, on one scale for every member's balance (so that `--member` still shows
    where one stands among all). The coop account has none: it has no limits, and its balance would dwarf the rest."""
    scale = bar_scale([b for account, b in table.items() if account_member(account)])
    for row in rows:
        row["bar"] = balance_bar(row["balance"], scale) if row["member"] else ""
