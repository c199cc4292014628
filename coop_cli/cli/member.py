"""`coop member ...`: the register: add, list, show, and add keys."""

from __future__ import annotations

from datetime import date
from typing import List

import typer

from coop_cli import book, reports
from coop_cli.cli.options import AS, FORMAT, KEY, Format, identity, state
from coop_cli.cli.output import Column, Word, emit, note
from coop_cli.errors import CoopError
from coop_cli.i18n import N_, _, word


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
    group.command("status", help=_(
        "Change a member's status (active, suspended, left), citing the adopted decision. A suspended member keeps "
        "their balance but takes part in no new exchange.\n\nExample: coop member status bernard suspended --decision D-2026-003"
    ))(status)
    group.command("role", help=_(
        "Give or take a role (+auditor, -treasurer...), citing the adopted decision.\n\nExample: coop member role eric +auditor --decision D-2026-002"
    ), context_settings={"ignore_unknown_options": True})(role)  # so that -auditor is a change, not an option
    app.add_typer(group, name="member")


def add(
    ctx: typer.Context,
    member_id: str = typer.Argument(..., metavar="ID", help=N_("Lowercase ascii id, unique and never reused.")),
    name: str = typer.Option(..., "--name", metavar="NAME", help=N_("The member's name as they write it.")),
    pubkey: str = typer.Option(None, "--pubkey", metavar="KEY", help=N_("Their SSH public key: a .pub file or the key's text.")),
    roles: List[str] = typer.Option([], "--role", metavar="ROLE", help=N_("treasurer, secretary or auditor; repeat for several.")),
    since: str = typer.Option(None, "--since", metavar="YYYY-MM-DD", help=N_("Date they joined (default: today).")),
    offers: List[str] = typer.Option([], "--offer", metavar="SERVICE", help=N_("A service they offer, e.g. jardinage; repeat for several.")),
    wants: List[str] = typer.Option([], "--want", metavar="SERVICE", help=N_("A service they would like; repeat for several.")),
    decision: str = typer.Option(None, "--decision", metavar="D-YYYY-NNN", help=N_("The adopted decision granting --role (not needed for the founder).")),
    as_member: str = AS,
    key: str = KEY,
) -> None:
    public = book.read_key_argument(pubkey) if pubkey else None
    member, commit, notes = book.add_member(
        state(ctx).coop(), identity(as_member, key), member_id, name, public, roles, since, offers=tuple(offers), wants=tuple(wants), decision=decision
    )
    note(*notes)
    typer.echo(_("Added {id} ({name}) in commit {commit}.").format(id=member.id, name=member.name, commit=commit[:10]))


def key_add(
    ctx: typer.Context,
    member_id: str = typer.Argument(..., metavar="ID"),
    public: str = typer.Argument(..., metavar="KEY", help=N_("A .pub file or the key's text.")),
    as_member: str = AS,
    key: str = KEY,
) -> None:
    commit, notes = book.add_key(state(ctx).coop(), identity(as_member, key), member_id, book.read_key_argument(public))
    note(*notes)
    typer.echo(_("Added a key to {id} in commit {commit}.").format(id=member_id, commit=commit[:10]))


COLUMNS = [
    Column("member", N_("Member")),
    Column("name", N_("Name")),
    Column("status", N_("Status"), words=True),
    Column("roles", N_("Roles"), words=True),
    Column("since", N_("Since")),
    Column("balance", N_("Balance"), numeric=True),
]


def list_members(
    ctx: typer.Context,
    group: str = typer.Option(None, "--group", metavar="NAME", help=N_("Only the members of this working group.")),
    fmt: Format = FORMAT,
) -> None:
    coop = state(ctx).coop()
    register = coop.register()
    members = register.members
    if group is not None:
        found = next((g for g in register.groups if g.name == group), None)
        if found is None:
            raise CoopError(_("there is no group {name!r} (see coop group list)").format(name=group))
        members = tuple(m for m in members if m.id in found.members)
    table = coop.balances()
    rows = [
        {"member": m.id, "name": m.name, "status": m.status, "roles": m.roles, "since": m.since, "balance": table.get(m.account, reports.ZERO)}
        for m in members
    ]
    emit(rows, COLUMNS, fmt)


DECISION = typer.Option(..., "--decision", metavar="D-YYYY-NNN", help=N_("The adopted decision that makes the change."))


def status(
    ctx: typer.Context,
    member_id: str = typer.Argument(..., metavar="ID"),
    new_status: str = typer.Argument(..., metavar="STATUS"),
    decision: str = DECISION,
    as_member: str = AS,
    key: str = KEY,
) -> None:
    from coop_cli import governance

    commit = governance.set_status(state(ctx).coop(), identity(as_member, key), member_id, new_status, decision)
    typer.echo(_("{id} is now {status}, by {decision} (commit {commit}).").format(id=member_id, status=word(new_status), decision=decision, commit=commit[:10]))


def role(
    ctx: typer.Context,
    member_id: str = typer.Argument(..., metavar="ID"),
    change: str = typer.Argument(..., metavar="+ROLE|-ROLE"),
    decision: str = DECISION,
    as_member: str = AS,
    key: str = KEY,
) -> None:
    from coop_cli import governance

    commit = governance.change_role(state(ctx).coop(), identity(as_member, key), member_id, change, decision)
    typer.echo(_("{id}: {change}, by {decision} (commit {commit}).").format(id=member_id, change=change, decision=decision, commit=commit[:10]))


def show(ctx: typer.Context, member_id: str = typer.Argument(..., metavar="ID"), fmt: Format = FORMAT) -> None:
    from coop_cli.signing import PublicKey

    coop = state(ctx).coop()
    member = coop.register().require(member_id)
    balance = coop.balances().get(member.account, reports.ZERO)
    fields = [
        ("id", member.id), ("name", member.name), ("since", member.since), ("status", Word(member.status)),
        ("roles", tuple(Word(role) for role in member.roles)), ("balance", balance),
        ("keys", " ".join(PublicKey.parse(k).fingerprint() for k in member.keys)),
        ("offers", ", ".join(s.text for s in member.offers if s.current(date.today()))),
        ("wants", ", ".join(s.text for s in member.wants if s.current(date.today()))),
    ]
    emit([{"field": Word(k), "value": v} for k, v in fields], [Column("field", N_("Field")), Column("value", N_("Value"))], fmt)
