"""`coop match`: members who might help each other, each want paired with offers and ranked, with the reasons in one line."""

from __future__ import annotations

from datetime import date

import typer

from coop_cli import matching
from coop_cli.cli.options import FORMAT, Format, state
from coop_cli.cli.output import Column, emit
from coop_cli.i18n import N_, _
from coop_cli.model import parse_date

COLUMNS = [
    Column("payer", N_("Who wants")),
    Column("want", N_("Want")),
    Column("earner", N_("Who offers")),
    Column("offer", N_("Offer")),
    Column("reason", N_("Why")),
]
DATA = [
    Column("payer", N_("Who wants")), Column("want", N_("Want")), Column("want_category", N_("Category")),
    Column("earner", N_("Who offers")), Column("offer", N_("Offer")), Column("offer_category", N_("Category")),
    Column("category", N_("Category")), Column("words", N_("Words")), Column("earner_balance", N_("Balance")),
    Column("priority", N_("Priority")), Column("reason", N_("Why")),
]


def register(app: typer.Typer) -> None:
    app.command("match", help=_(
        "Members who might help each other: each current want paired with current offers of the same category or sharing a word "
        "(without case or accents, in French and English), best first: a member far below zero who needs to earn, or a member "
        "who has not exchanged for months, comes first. Each suggestion says why in one line.\n\n"
        "Example: coop match bernard --format json"
    ))(match)


def match(
    ctx: typer.Context,
    member: str = typer.Argument(None, metavar="[MEMBER]", show_default=False, help=N_("Only the pairs where this member wants or offers.")),
    when: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help=N_("Match as on this day: balances, silences and expiry (default: today).")),
    fmt: Format = FORMAT,
) -> None:
    coop = state(ctx).coop()
    day = parse_date(when) if when else date.today()
    if member is not None:
        coop.register().require(member)
    rows = [
        {"payer": s.payer.id, "want": s.want.text, "want_category": s.want.cat, "earner": s.earner.id, "offer": s.offer.text,
         "offer_category": s.offer.cat, "category": s.category, "words": s.words, "earner_balance": s.earner_balance,
         "priority": s.priority, "reason": matching.reason(s)}
        for s in matching.in_books(coop, day, member)
    ]
    emit(rows, COLUMNS if fmt is Format.table else DATA, fmt)
