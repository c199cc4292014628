"""`coop group ...`: working groups, set up by a decision and kept in members.yaml."""

from typing import List

import typer

from coop_cli import governance
from coop_cli.cli.options import AS, FORMAT, KEY, Format, identity, state
from coop_cli.cli.output import Column, emit
from coop_cli.i18n import N_, _


def register(app: typer.Typer) -> None:
    group = typer.Typer(help=_("Working groups."), no_args_is_help=True)
    group.command("add", help=_("Set up a working group, citing the decision that created it.\n\nExample: coop group add communication --decision D-2020-001"))(add)
    group.command("join", help=_("Add members to a working group.\n\nExample: coop group join communication lucas eric vincent"))(join)
    group.command("rename", help=_(
        "Rename a working group, citing the adopted decision that renames it; its members and the decision that set it up are kept.\n\n"
        "Example: coop group rename comunication communication --decision D-2026-004"))(rename)
    group.command("remove", help=_(
        "Remove a working group, citing the adopted decision that ends it; its members stay members.\n\n"
        "Example: coop group remove jardin --decision D-2026-004"))(remove)
    group.command("list", help=_("Every working group with its members.\n\nExample: coop group list --format json"))(list_groups)
    app.add_typer(group, name="group")


def add(ctx: typer.Context, name: str = typer.Argument(..., metavar="NAME"), decision: str = typer.Option(..., "--decision", metavar="D-YYYY-NNN"),
        as_member: str = AS, key: str = KEY) -> None:
    commit = governance.add_group(state(ctx).coop(), identity(as_member, key), name, decision)
    typer.echo(_("Set up the group {name!r} (commit {commit}).").format(name=name, commit=commit[:10]))


def join(ctx: typer.Context, name: str = typer.Argument(..., metavar="NAME"), members: List[str] = typer.Argument(..., metavar="MEMBER..."),
         as_member: str = AS, key: str = KEY) -> None:
    commit = governance.join_group(state(ctx).coop(), identity(as_member, key), name, members)
    typer.echo(_("Added {members} to {name!r} (commit {commit}).").format(members=", ".join(members), name=name, commit=commit[:10]))


def rename(ctx: typer.Context, name: str = typer.Argument(..., metavar="OLD"), new_name: str = typer.Argument(..., metavar="NEW"),
           decision: str = typer.Option(..., "--decision", metavar="D-YYYY-NNN"), as_member: str = AS, key: str = KEY) -> None:
    commit = governance.rename_group(state(ctx).coop(), identity(as_member, key), name, new_name, decision)
    typer.echo(_("Renamed the group {name!r} {new!r} (commit {commit}).").format(name=name, new=new_name, commit=commit[:10]))


def remove(ctx: typer.Context, name: str = typer.Argument(..., metavar="NAME"), decision: str = typer.Option(..., "--decision", metavar="D-YYYY-NNN"),
           as_member: str = AS, key: str = KEY) -> None:
    commit = governance.remove_group(state(ctx).coop(), identity(as_member, key), name, decision)
    typer.echo(_("Removed the group {name!r} (commit {commit}).").format(name=name, commit=commit[:10]))


def list_groups(ctx: typer.Context, fmt: Format = FORMAT) -> None:
    rows = [{"group": g.name, "decision": g.decision, "members": " ".join(g.members)} for g in state(ctx).coop().register().groups]
    emit(rows, [Column("group", N_("Group")), Column("decision", N_("Decision"), no_wrap=True), Column("members", N_("Members"))], fmt)
