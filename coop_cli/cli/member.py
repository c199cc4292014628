"""`coop member ...`: the register: add, list, show, and add keys."""

from __future__ import annotations

from typing import List

import typer

from coop_cli import book, reports
from coop_cli.cli.options import AS, FORMAT, KEY, Format, identity, state
from coop_cli.cli.output import Column, emit, note
from coop_cli.errors import CoopError
from coop_cli.i18n import _


def register(app: typer.Typer) -> None:
    group = typer.Typer(help=_("The member register (members.yaml)."), no_args_is_help=True)
    group.command("add", help=_(
        "Register a member. The first member of a new coop registers themselves and must be a treasurer or secretary; "
        "later members are added by a treasurer or secretary signing as themselves.\n\n"
        "Example: coop member add bernard --name Bernard --pubkey bernard.pub"
    ))(add)
    group.command("list", help=_("List the members with their status, roles and balance.\n\nExample: coop member list --format csv"))(list_members)
    group.command("show", help=_("Show one member: status, roles, keys, offers, wants and balance.\n\nExample: coop member show agnes"))(show)
    keys = typer.Typer(help=_("A member's signing keys."), no_args_is_help=True)
    keys.command("add", help=_(
        "Add a public key (a .pub file or the key's text) to a member: by a treasurer or secretary, or by the member "
        "signing with a key they already have.\n\nExample: coop member key add agnes ~/.ssh/coop_agnes.pub"
    ))(key_add)
    group.add_typer(keys, name="key")
    app.add_typer(group, name="member")


def add(
    ctx: typer.Context,
    member_id: str = typer.Argument(..., metavar="ID", help=_("Lowercase ascii id, unique and never reused.")),
    name: str = typer.Option(..., "--name", help=_("The member's name as they write it.")),
    pubkey: str = typer.Option(None, "--pubkey", metavar="KEY", help=_("Their SSH public key: a .pub file or the key's text.")),
    roles: List[str] = typer.Option([], "--role", metavar="ROLE", help=_("treasurer, secretary or auditor; repeat for several.")),
    since: str = typer.Option(None, "--since", metavar="YYYY-MM-DD", help=_("Date they joined (default: today).")),
    offers: List[str] = typer.Option([], "--offer", metavar="SERVICE", help=_("A service they offer, e.g. jardinage; repeat for several.")),
    wants: List[str] = typer.Option([], "--want", metavar="SERVICE", help=_("A service they would like; repeat for several.")),
    as_member: str = AS,
    key: str = KEY,
) -> None:
    public = book.read_key_argument(pubkey) if pubkey else None
    member, commit, notes = book.add_member(
        state(ctx).coop(), identity(as_member, key), member_id, name, public, roles, since, offers=tuple(offers), wants=tuple(wants)
    )
    for line in notes:
        note(line)
    typer.echo(_("Added {id} ({name}) in commit {commit}.").format(id=member.id, name=member.name, commit=commit[:10]))


def key_add(
    ctx: typer.Context,
    member_id: str = typer.Argument(..., metavar="ID"),
    public: str = typer.Argument(..., metavar="KEY", help=_("A .pub file or the key's text.")),
    as_member: str = AS,
    key: str = KEY,
) -> None:
    commit, notes = book.add_key(state(ctx).coop(), identity(as_member, key), member_id, book.read_key_argument(public))
    for line in notes:
        note(line)
    typer.echo(_("Added a key to {id} in commit {commit}.").format(id=member_id, commit=commit[:10]))


COLUMNS = [
    Column("member", _("Member")),
    Column("name", _("Name")),
    Column("status", _("Status")),
    Column("roles", _("Roles")),
    Column("since", _("Since")),
    Column("balance", _("Balance"), numeric=True),
]


def list_members(ctx: typer.Context, fmt: Format = FORMAT) -> None:
    coop = state(ctx).coop()
    register = coop.register()
    table = reports.balances(coop.readable_entries())
    rows = [
        {"member": m.id, "name": m.name, "status": m.status, "roles": " ".join(m.roles), "since": m.since, "balance": table.get(m.account, reports.ZERO)}
        for m in register.members
    ]
    emit(rows, COLUMNS, fmt)


def show(ctx: typer.Context, member_id: str = typer.Argument(..., metavar="ID"), fmt: Format = FORMAT) -> None:
    from coop_cli.signing import PublicKey

    coop = state(ctx).coop()
    member = coop.register().get(member_id)
    if member is None:
        raise CoopError(_("{id!r} is not a member of this coop (see coop member list)").format(id=member_id))
    balance = reports.balances(coop.readable_entries()).get(member.account, reports.ZERO)
    fields = [
        ("id", member.id), ("name", member.name), ("since", member.since), ("status", member.status),
        ("roles", " ".join(member.roles)), ("balance", balance),
        ("keys", " ".join(PublicKey.parse(k).fingerprint() for k in member.keys)),
        ("offers", ", ".join(member.offers)), ("wants", ", ".join(member.wants)),
    ]
    emit([{"field": k, "value": v} for k, v in fields], [Column("field", _("Field")), Column("value", _("Value"))], fmt)
