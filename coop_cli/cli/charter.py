"""`coop charter ...`: the rules in charter.md, changed only by an adopted decision."""

import typer

from coop_cli import governance
from coop_cli.cli.options import AS, KEY, identity, state
from coop_cli.i18n import _


def register(app: typer.Typer) -> None:
    group = typer.Typer(help=_("The charter's rules."), no_args_is_help=True)
    group.command("set", help=_(
        "Change one rule of the charter's front matter, citing the adopted decision; the text and its comments are kept.\n\n"
        "Example: coop charter set max_exchange 12 --decision D-2026-004"
    ), context_settings={"ignore_unknown_options": True})(set_rule)  # so that -30 is a value, not an option
    app.add_typer(group, name="charter")


def set_rule(
    ctx: typer.Context,
    key: str = typer.Argument(..., metavar="KEY"),
    value: str = typer.Argument(..., metavar="VALUE"),
    decision: str = typer.Option(..., "--decision", metavar="D-YYYY-NNN"),
    as_member: str = AS,
    key_file: str = KEY,
) -> None:
    commit = governance.set_rule(state(ctx).coop(), identity(as_member, key_file), key, value, decision)
    typer.echo(_("Set {key} to {value} by {decision} (commit {commit}).").format(key=key, value=value, decision=decision, commit=commit[:10]))
