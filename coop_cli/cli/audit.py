"""`coop audit sign`: an auditor's signed tag attesting that the books verified up to HEAD."""

import typer

from coop_cli import book
from coop_cli.cli.options import AS, KEY, identity, state
from coop_cli.i18n import _


def register(app: typer.Typer) -> None:
    group = typer.Typer(help=_("Auditors' attestations."), no_args_is_help=True)
    group.command("sign", help=_(
        "Verify the books, then create the SSH-signed annotated tag audit/YYYY-MM-DD at HEAD, whose message gives the "
        "entries, the hours exchanged and a digest of the balances. Only an auditor may sign; `git tag -v` checks it.\n\n"
        "Example: coop audit sign --as eric --key ~/.ssh/coop_eric"
    ))(sign)
    app.add_typer(group, name="audit")


def sign(ctx: typer.Context, as_member: str = AS, key: str = KEY) -> None:
    name, message = book.audit_sign(state(ctx).coop(), identity(as_member, key))
    typer.echo(_("Signed the audit tag {tag}:").format(tag=name))
    typer.echo(message.rstrip())
