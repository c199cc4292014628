"""`coop merge-driver ANCESTOR OURS THEIRS [PATH]`: the journal merge driver git runs (see .gitattributes).

Git hands it three files and reads the result back from OURS; it runs at the top of the coop's work tree,
where the charter names the journals' unit (or `--unit` names it, outside a coop).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import typer

from coop_cli import meetings
from coop_cli.errors import CoopError
from coop_cli.i18n import N_, _
from coop_cli.merge import merge_journals
from coop_cli.repo import Coop


def register(app: typer.Typer) -> None:
    app.command("merge-driver", hidden=True, help=_(
        "Merge two versions of a journal file for git: OURS is kept as it is and the entries of THEIRS it lacks are appended. "
        "Refuses (exit 1, OURS untouched, git reports a conflict) if an entry would be lost or changed. "
        "coop init sets git up to run it: merge.coop-journal.driver = coop merge-driver %O %A %B %P.\n\n"
        "Example: coop merge-driver base.journal ours.journal theirs.journal ledger/2026-03.journal"
    ))(merge_driver)
    app.command("merge-minutes", hidden=True, help=_(
        "Join two versions of a meeting's open minutes for git: the attendees, notes and decisions each added. Refuses "
        "(exit 1, OURS untouched, git reports a conflict) minutes closed on one side and changed on the other, or one "
        "decision id naming two decisions. coop sets git up to run it: merge.coop-minutes.driver = coop merge-minutes %O %A %B %P.\n\n"
        "Example: coop merge-minutes base.md ours.md theirs.md ledger/meetings/2026-03-10-assemblee-pleniere.md"
    ))(merge_minutes)


def merge_driver(
    ancestor: Path = typer.Argument(..., metavar="ANCESTOR", help=N_("The common ancestor's version of the file (git's %O).")),
    ours: Path = typer.Argument(..., metavar="OURS", help=N_("Our version (git's %A); replaced by the merge.")),
    theirs: Path = typer.Argument(..., metavar="THEIRS", help=N_("Their version (git's %B).")),
    path: str = typer.Argument(None, metavar="PATH", show_default=False, help=N_("The file's path in the repository, for messages (git's %P).")),
    unit: str = typer.Option(None, "--unit", metavar="UNIT", show_default=False, help=N_("The unit the journals are written in; by default the charter's, in the coop where git runs the driver.")),
) -> None:
    texts = _read(ancestor), _read(ours), _read(theirs)
    merged = merge_journals(*texts, path or str(ours), unit or Coop.find(Path.cwd()).charter().unit)
    _replace(ours, merged)


def _read(file: Path) -> str:
    try:
        return file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as problem:
        raise CoopError(_("{file} is not valid UTF-8 (byte {at})").format(file=file, at=problem.start)) from None
    except OSError as problem:
        raise CoopError(_("cannot read {file}: {reason}").format(file=file, reason=problem.strerror)) from None


def _replace(file: Path, text: str) -> None:
    """Write the merge beside OURS and rename it over: git reads either the old file or the whole merge."""
    handle, temporary = tempfile.mkstemp(dir=file.resolve().parent, prefix=".coop-merge-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, file.stat().st_mode & 0o7777)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def merge_minutes(
    ancestor: Path = typer.Argument(..., metavar="ANCESTOR", help=N_("The common ancestor's version of the file (git's %O).")),
    ours: Path = typer.Argument(..., metavar="OURS", help=N_("Our version (git's %A); replaced by the merge.")),
    theirs: Path = typer.Argument(..., metavar="THEIRS", help=N_("Their version (git's %B).")),
    path: str = typer.Argument(..., metavar="PATH", help=N_("The file's path in the repository, which names the meeting (git's %P).")),
) -> None:
    base = _read(ancestor) if ancestor.stat().st_size else None  # git hands an empty ancestor when both sides added the file
    _replace(ours, meetings.join(base, _read(ours), _read(theirs), path))
