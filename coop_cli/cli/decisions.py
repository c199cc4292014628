"""`coop decisions`: every decision of every meeting, with its outcome."""

import typer

from coop_cli import governance
from coop_cli.cli.meeting import outcome_label
from coop_cli.cli.options import FORMAT, Format, state
from coop_cli.cli.output import Column, emit
from coop_cli.i18n import _


def register(app: typer.Typer) -> None:
    app.command("decisions", help=_(
        "List every decision with its meeting, date, vote and outcome.\n\nExample: coop decisions --search suspension"
    ))(decisions)


COLUMNS = [
    Column("id", _("Decision"), no_wrap=True),
    Column("date", _("Date")),
    Column("meeting", _("Meeting")),
    Column("text", _("Text")),
    Column("vote", _("Vote")),
    Column("outcome", _("Outcome")),
]


def decisions(
    ctx: typer.Context,
    search: str = typer.Option(None, "--search", metavar="TEXT", help=_("Only decisions whose text or id contains TEXT.")),
    fmt: Format = FORMAT,
) -> None:
    rows = [
        {"id": d.id, "date": m.date, "meeting": m.slug, "text": d.text,
         "vote": _("consensus") if d.consensus else f"{d.votes_for}/{d.against}/{d.abstain}", "outcome": outcome_label(d.outcome)}
        for m, d in governance.all_decisions(state(ctx).coop(), search)
    ]
    emit(rows, COLUMNS, fmt)
