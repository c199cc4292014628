"""`coop sync [REMOTE]`: fetch, verify what came in, merge, push."""

import typer

from coop_cli import sync as syncing
from coop_cli.cli.options import AS, KEY, identity, state
from coop_cli.errors import CoopError
from coop_cli.i18n import _, ngettext


def register(app: typer.Typer) -> None:
    app.command("sync", help=_(
        "Bring this copy and REMOTE (default: origin) in step: fetch, refuse a rewritten history or anything that fails "
        "verify, merge (journals are joined entry by entry), verify again, push. On refusal nothing is merged.\n\n"
        "Example: coop sync origin"
    ))(sync)


def sync(ctx: typer.Context, remote: str = typer.Argument("origin", metavar="REMOTE"), as_member: str = AS, key: str = KEY) -> None:
    coop = state(ctx).coop()
    if coop.config(f"remote.{remote}.url") is None:
        raise CoopError(_("this copy has no remote named {remote}: add the shared repository with git remote add {remote} URL, then run coop sync again").format(remote=remote))
    outcome = syncing.sync(coop, identity(as_member, key), remote)
    came = ngettext("{n} commit came in", "{n} commits came in", outcome.fetched).format(n=outcome.fetched)
    if outcome.merged:
        done = _("merged and pushed") if outcome.pushed else _("merged")
    else:
        done = _("pushed") if outcome.pushed else _("nothing to push")
    typer.echo(_("In step with {remote} at {head}: {came}; {done}.").format(remote=remote, head=outcome.head[:10], came=came, done=done))
