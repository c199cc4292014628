"""`coop offer ...` and `coop want ...`: the directory of what members offer and would like, kept in members.yaml."""

from __future__ import annotations

from datetime import date

import typer

from coop_cli import book
from coop_cli.cli.options import AS, FORMAT, KEY, Format, identity, state
from coop_cli.cli.output import Column, emit, note
from coop_cli.i18n import N_, _
from coop_cli.model import parse_date

HELP = {
    "offers": {
        "group": N_("What members offer: a text, one of the charter's categories, when they are available, until when."),
        "add": N_("Offer a service: your own, or a member's for a treasurer or secretary (--member). Its category is one of the "
                  "charter's; after --until it is hidden, not deleted.\n\n"
                  "Example: coop offer add \"Taille de haies et potager\" --cat jardinage --availability \"le samedi matin\""),
        "remove": N_("Withdraw an offer, named by its text.\n\nExample: coop offer remove \"Taille de haies et potager\""),
        "list": N_("The current offers, member by member; --all shows the expired ones too.\n\nExample: coop offer list --cat jardinage"),
    },
    "wants": {
        "group": N_("What members would like: a text, one of the charter's categories, when they are available, until when."),
        "add": N_("Say what you would like: your own want, or a member's for a treasurer or secretary (--member). Its category is "
                  "one of the charter's; after --until it is hidden, not deleted.\n\n"
                  "Example: coop want add \"Réparer mon vélo\" --cat réparation --until 2026-06-30"),
        "remove": N_("Withdraw a want, named by its text.\n\nExample: coop want remove \"Réparer mon vélo\""),
        "list": N_("The current wants, member by member; --all shows the expired ones too.\n\nExample: coop want list bernard"),
    },
}
ADDED = {"offers": N_("{id} offers {text!r} (commit {commit})."), "wants": N_("{id} wants {text!r} (commit {commit}).")}
REMOVED = {"offers": N_("{id} no longer offers {text!r} (commit {commit})."), "wants": N_("{id} no longer wants {text!r} (commit {commit}).")}
COLUMNS = [
    Column("member", N_("Member")),
    Column("name", N_("Name")),
    Column("text", N_("Text")),
    Column("cat", N_("Category")),
    Column("availability", N_("Availability")),
    Column("until", N_("Until"), no_wrap=True),
]


def register(app: typer.Typer) -> None:
    for kind, name in (("offers", "offer"), ("wants", "want")):
        group = typer.Typer(help=_(HELP[kind]["group"]), no_args_is_help=True)
        group.command("add", help=_(HELP[kind]["add"]))(_add(kind))
        group.command("remove", help=_(HELP[kind]["remove"]))(_remove(kind))
        group.command("list", help=_(HELP[kind]["list"]))(_list(kind))
        app.add_typer(group, name=name)


MEMBER = typer.Option(None, "--member", metavar="MEMBER", help=N_("Whose (default: yours); a treasurer or secretary may name anyone."))


def _add(kind: str):
    def add(
        ctx: typer.Context,
        text: str = typer.Argument(..., metavar="TEXT", help=N_("What it is, in a few words.")),
        cat: str = typer.Option(..., "--cat", metavar="CATEGORY", help=N_("One of the charter's categories.")),
        availability: str = typer.Option(None, "--availability", metavar="TEXT", help=N_("When, e.g. \"le samedi matin\".")),
        until: str = typer.Option(None, "--until", metavar="YYYY-MM-DD", help=N_("The last day it holds (default: until withdrawn).")),
        member: str = MEMBER,
        as_member: str = AS,
        key: str = KEY,
    ) -> None:
        owner, service, commit, notes = book.add_service(state(ctx).coop(), identity(as_member, key), kind, text, cat, availability, until, member)
        note(*notes)
        typer.echo(_(ADDED[kind]).format(id=owner.id, text=service.text, commit=commit[:10]))

    return add


def _remove(kind: str):
    def remove(ctx: typer.Context, text: str = typer.Argument(..., metavar="TEXT"), member: str = MEMBER, as_member: str = AS, key: str = KEY) -> None:
        owner, commit, notes = book.remove_service(state(ctx).coop(), identity(as_member, key), kind, text, member)
        note(*notes)
        typer.echo(_(REMOVED[kind]).format(id=owner.id, text=text, commit=commit[:10]))

    return remove


def _list(kind: str):
    def list_services(
        ctx: typer.Context,
        member: str = typer.Argument(None, metavar="[MEMBER]", show_default=False, help=N_("Only this member's.")),
        cat: str = typer.Option(None, "--cat", metavar="CATEGORY", help=N_("Only this category.")),
        every: bool = typer.Option(False, "--all", help=N_("Also the expired ones, and those of members who are not active.")),
        when: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help=N_("The day expiry is judged on (default: today).")),
        fmt: Format = FORMAT,
    ) -> None:
        day = parse_date(when) if when else date.today()
        register = state(ctx).coop().register()
        members = (register.require(member),) if member else register.members
        rows = []
        for m in members:
            for s in getattr(m, kind):
                expired = not s.current(day)
                if (every or m.active and not expired) and (cat is None or s.cat == cat):
                    rows.append({"member": m.id, "name": m.name, "text": s.text, "cat": s.cat, "availability": s.availability, "added": s.added,
                                 "until": s.until, "expired": expired if fmt is not Format.table else _("expired") if expired else ""})
        columns = COLUMNS + ([Column("added", N_("Added"), no_wrap=True), Column("expired", N_("Expired"))] if fmt is not Format.table or every else [])
        emit(rows, columns, fmt)

    return list_services
