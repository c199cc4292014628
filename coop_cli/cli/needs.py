"""`coop needs`: the coop's needs on the matrix of urgency and difficulty, placed and moved by adopted decisions."""

from __future__ import annotations

from datetime import date
from typing import List

import typer

from coop_cli import bulletin, governance
from coop_cli import needs as needs_format
from coop_cli.cli.options import AS, FORMAT, KEY, Format, identity, state
from coop_cli.cli.output import Column, console, emit
from coop_cli.i18n import N_, _, ngettext
from coop_cli.model import parse_date

DATA = [
    Column("need", N_("Need")), Column("quadrant", N_("Quadrant")), Column("urgency", N_("Urgency"), numeric=True),
    Column("difficulty", N_("Difficulty"), numeric=True), Column("categories", N_("Categories")), Column("offers", N_("Offers"), numeric=True),
    Column("wants", N_("Wants"), numeric=True), Column("decision", N_("Decision")),
]
DECISION = typer.Option(..., "--decision", metavar="D-YYYY-NNN", help=N_("The adopted decision that places, moves or removes it."))


def register(app: typer.Typer) -> None:
    group = typer.Typer(help=_(
        "The coop's needs (alimentation, logement, santé...) on a matrix of urgency and difficulty, each placed by an adopted "
        "decision, with the current offers and wants of their categories counted beside them. Without a command: the matrix, "
        "urgent and easy needs first.\n\nExample: coop needs --format json"), invoke_without_command=True)
    group.callback()(show)
    group.command("place", help=_(
        "Place a need on the matrix, or move it: urgency and difficulty from 1 to 4, citing the adopted decision; --cat (repeated) "
        "names the charter's categories whose offers and wants touch it.\n\n"
        "Example: coop needs place alimentation --urgency 4 --difficulty 2 --cat jardinage --cat cuisine --decision D-2026-002"))(place)
    group.command("remove", help=_(
        "Take a need off the matrix (answered, or given up), citing the adopted decision.\n\nExample: coop needs remove énergie --decision D-2026-005"))(remove)
    app.add_typer(group, name="needs")


def show(
    ctx: typer.Context,
    when: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help=N_("Count the offers and wants current on this day (default: today).")),
    fmt: Format = FORMAT,
) -> None:
    if ctx.invoked_subcommand is not None:
        return
    coop = state(ctx).coop()
    day = parse_date(when) if when else date.today()
    rows = as_rows(bulletin.need_rows(coop.needs(), coop.register(), coop.charter(), day))
    if fmt is not Format.table:
        emit(rows, DATA, fmt)
    elif not rows:
        typer.echo(_("No need is on the matrix yet (see coop needs place --help)."))
    else:
        matrix(rows)


def as_rows(needs: list[bulletin.NeedRow]) -> list[dict]:
    return [{"need": row.need.name, "quadrant": row.quadrant, "urgency": row.need.urgency, "difficulty": row.need.difficulty,
             "categories": row.need.categories, "offers": row.offers, "wants": row.wants, "decision": row.need.decision} for row in needs]


def matrix(rows: list[dict]) -> None:
    """Two by two: urgent needs above, easy ones left; each need with its urgency (U) and difficulty (D) and what touches it."""
    from rich.table import Table
    from rich.text import Text

    cells = {}
    for quadrant, title in needs_format.QUADRANT_TITLES.items():
        text = Text(_(title), style="bold")
        for row in (r for r in rows if r["quadrant"] == quadrant):
            offers = ngettext("{n} offer", "{n} offers", row["offers"]).format(n=row["offers"])
            wants = ngettext("{n} want", "{n} wants", row["wants"]).format(n=row["wants"])
            text.append("\n" + _("{need}  U{urgency} D{difficulty}  {offers}, {wants}").format(
                need=row["need"], urgency=row["urgency"], difficulty=row["difficulty"], offers=offers, wants=wants), style="")
        cells[quadrant] = text
    table = Table(show_lines=True, title=Text(_("Needs: urgency (U) and difficulty (D), from 1 to 4")), title_justify="left")
    table.add_column("")
    table.add_column(_("easy (D 1-2)"))
    table.add_column(_("hard (D 3-4)"))
    table.add_row(_("urgent (U 3-4)"), cells["do first"], cells["plan"])
    table.add_row(_("less urgent (U 1-2)"), cells["when time allows"], cells["later"])
    console().print(table)


def place(
    ctx: typer.Context,
    name: str = typer.Argument(..., metavar="NEED"),
    urgency: str = typer.Option(..., "--urgency", metavar="1-4", help=N_("How urgent: 1 (can wait) to 4 (most urgent).")),
    difficulty: str = typer.Option(..., "--difficulty", metavar="1-4", help=N_("How hard: 1 (easy) to 4 (hardest).")),
    cats: List[str] = typer.Option([], "--cat", metavar="CATEGORY", help=N_("A category of the charter whose offers and wants touch it; repeat for several.")),
    decision: str = DECISION,
    as_member: str = AS,
    key: str = KEY,
) -> None:
    need, commit = governance.place_need(state(ctx).coop(), identity(as_member, key), name, urgency, difficulty, cats, decision)
    typer.echo(_("Placed {need!r} at urgency {urgency}, difficulty {difficulty}, by {decision} (commit {commit}).").format(
        need=need.name, urgency=need.urgency, difficulty=need.difficulty, decision=decision, commit=commit[:10]))


def remove(ctx: typer.Context, name: str = typer.Argument(..., metavar="NEED"), decision: str = DECISION, as_member: str = AS, key: str = KEY) -> None:
    commit = governance.remove_need(state(ctx).coop(), identity(as_member, key), name, decision)
    typer.echo(_("Took {need!r} off the matrix, by {decision} (commit {commit}).").format(need=name, decision=decision, commit=commit[:10]))
