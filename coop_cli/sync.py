"""Members' copies kept in step through any git remote: clone, then fetch, verify what came in, merge, push.

Nothing is merged that fails `coop verify`, and a remote whose history no longer holds what this clone saw is refused.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from coop_cli import book, meetings, verify
from coop_cli.errors import CoopError
from coop_cli.i18n import _
from coop_cli.repo import GIT_ENV, SYNCING, Coop, git

PUSH_TRIES = 3


@dataclass(frozen=True)
class Outcome:
    fetched: int  # commits that came in
    merged: bool
    pushed: bool
    head: str


def clone(url: str, folder: Path, identity: book.Identity | None = None, expect: str | None = None) -> tuple[Coop, verify.Report]:
    """A member's copy: git clone, coop's settings (merge driver, allowed signers, signing), then a full verify.

    With `expect`, books whose genesis is another commit are refused and the copy removed: they are another coop.
    """
    if folder.exists() and any(folder.iterdir()):
        raise CoopError(_("{folder} already exists and is not an empty folder").format(folder=folder))
    existed = folder.exists()
    git(Path.cwd(), "clone", "-q", "--", url, str(folder))
    coop = Coop(folder.resolve())
    try:
        report = verify.audit(coop, full=True, expect=expect)
        if expect and report.genesis != expect:
            raise CoopError(_("the books at {url} begin at {found}, not at {expect}: they are another coop").format(url=url, found=report.genesis, expect=expect))
    except CoopError:
        _remove(folder, existed)
        raise
    book.configure(coop)
    if identity is not None and identity.member:
        sign_as(coop, identity)
    _remember_remote(coop, "origin", report.head or "")
    return coop, report


def _remove(folder: Path, existed: bool) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    if existed:
        folder.mkdir()


def sign_as(coop: Coop, identity: book.Identity) -> None:
    """Make plain git commit, merge and rebase as the member coop would: their name, their key, signed."""
    member = coop.register().require(identity.member or "")
    git(coop.root, "config", "coop.member", member.id)
    git(coop.root, "config", "user.name", member.name)
    git(coop.root, "config", "user.email", f"{member.id}@coop.invalid")
    if identity.key:
        git(coop.root, "config", "user.signingkey", str(Path(identity.key).expanduser().resolve()))
        git(coop.root, "config", "commit.gpgsign", "true")
        git(coop.root, "config", "tag.gpgsign", "true")


def sync(coop: Coop, identity: book.Identity, remote: str = "origin") -> Outcome:
    """Fetch, verify what came in, merge it (signed), verify again, push; or refuse and leave HEAD as it was."""
    signer = book.load_signer(coop, identity)
    with coop.writing():
        recorder = book.recorder_for(coop, identity, coop.register(), signer)
        branch = git(coop.root, "symbolic-ref", "--short", "HEAD").strip()
        local = verify.audit(coop)
        if local.findings:
            raise CoopError(_("this copy does not verify ({problem}); run coop verify").format(problem=local.findings[0]))
        for _attempt in range(PUSH_TRIES):
            outcome = _sync_once(coop, recorder, remote, branch)
            if outcome.pushed or _up_to_date(coop, remote, branch):
                return outcome
        raise CoopError(_("{remote} kept changing while coop pushed; run coop sync again").format(remote=remote))


def _sync_once(coop: Coop, recorder: book.Recorder, remote: str, branch: str) -> Outcome:
    git(coop.root, "fetch", "-q", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    theirs = git(coop.root, "rev-parse", "--verify", "-q", f"refs/remotes/{remote}/{branch}", check=False).strip()
    ours = git(coop.root, "rev-parse", "HEAD").strip()
    if not theirs:
        git(coop.root, "push", "-q", remote, f"HEAD:refs/heads/{branch}")
        _remember_remote(coop, remote, ours)
        return Outcome(0, False, True, ours)
    _refuse_rewrites(coop, remote, theirs)
    _check_remote_tags(coop, remote)
    fetched = int(git(coop.root, "rev-list", "--count", theirs, f"^{ours}").strip())
    if fetched:
        report = verify.audit(coop, head=theirs, remember=False)
        if report.findings:
            raise CoopError(
                _("what came from {remote} does not verify ({problem}); nothing was merged").format(remote=remote, problem=report.findings[0])
            )
    merged = False
    if fetched and _is_ancestor(coop, ours, theirs):
        coop.move_head(ours, theirs, f"sync: fast-forward to {remote}")
        merged = True
    elif fetched:
        _merge(coop, recorder, theirs, remote)
        merged = True
    head = git(coop.root, "rev-parse", "HEAD").strip()
    if merged:
        after = verify.audit(coop)
        if after.findings:
            _undo(coop, ours)
            raise CoopError(
                _("the books merged with {remote} do not verify ({problem}); nothing was merged").format(remote=remote, problem=after.findings[0])
            )
    _remember_remote(coop, remote, theirs)
    if head == theirs:
        return Outcome(fetched, merged, False, head)
    pushed = _push(coop, remote, branch)
    if pushed:
        _remember_remote(coop, remote, head)
    return Outcome(fetched, merged, pushed, head)


def _push(coop: Coop, remote: str, branch: str) -> bool:
    """Push HEAD: True when done, False when the remote moved meanwhile (fetch and merge again); any other refusal is an error."""
    done = subprocess.run(
        ["git", "push", "--porcelain", remote, f"HEAD:refs/heads/{branch}"], cwd=coop.root, capture_output=True, env={**os.environ, **GIT_ENV}
    )
    if done.returncode == 0:
        return True
    refused = [line.split("\t")[-1] for line in done.stdout.decode("utf-8", "replace").splitlines() if line.startswith("!")]
    if refused and any(race in refused[0] for race in ("fetch first", "non-fast-forward", "stale info")):
        return False
    reason = refused[0] if refused else (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[-1]
    hint = _("; share the books through a bare repository (git clone --bare), where no branch is checked out") if "checked out" in reason else ""
    raise CoopError(
        _("{remote} refused the push: {reason}{hint}; this copy keeps its commits for a later coop sync").format(
            remote=remote, reason=reason, hint=hint
        )
    )


def _merge(coop: Coop, recorder: book.Recorder, theirs: str, remote: str) -> None:
    """git merges (running the journal driver), then coop makes the merge commit itself, signed by the member."""
    ours = git(coop.root, "rev-parse", "HEAD").strip()
    identity = ["-c", f"user.name={recorder.author[0]}", "-c", f"user.email={recorder.author[1]}", "-c", "commit.gpgsign=false"]
    marker = coop.git_dir() / "coop" / SYNCING
    marker.write_text(theirs + "\n", encoding="utf-8")  # a kill from here on leaves a merge that the next coop undoes
    book.merge_drivers(coop)  # a copy made before minutes were joined learns the minutes' driver here
    if git(coop.root, *identity, "merge", "-q", "--no-ff", "--no-commit", theirs, check=False, status=True) != 0:
        conflicted = git(coop.root, "diff", "--name-only", "--diff-filter=U").split()
        git(coop.root, "merge", "--abort", check=False)
        marker.unlink(missing_ok=True)
        reasons = [reason for path in conflicted if (reason := _minutes_conflict(coop, ours, theirs, path))]
        raise CoopError(
            _("both this copy and {remote} changed {files} in ways that cannot be joined{why}; nothing was merged. To go on, set this "
              "copy's commits aside and take {remote}'s books (git branch aside && git reset --hard {theirs}), then record again, or "
              "settle at a meeting, what 'git log {theirs}..aside' shows").format(
                remote=remote, files=", ".join(conflicted) or _("the same files"), why=f" ({'; '.join(reasons)})" if reasons else "",
                theirs=theirs[:10],
            )
        )
    tree = git(coop.root, "write-tree").strip()
    message = f"sync: merge {remote} ({theirs[:10]})\n"
    commit = coop.commit_tree(tree, [ours, theirs], message, recorder.author, recorder.signer)
    git(coop.root, "update-ref", "-m", "coop sync: merge", "HEAD", commit, ours)
    git(coop.root, "merge", "--quit")  # the working tree and index already hold the merged files
    marker.unlink(missing_ok=True)


def _minutes_conflict(coop: Coop, ours: str, theirs: str, path: str) -> str | None:
    """Why two copies' minutes cannot be joined, in words (None for other files)."""
    if not path.startswith(meetings.FOLDER + "/"):
        return None
    base = git(coop.root, "merge-base", ours, theirs, check=False).strip()
    texts = [git(coop.root, "show", f"{commit}:{path}", check=False) if commit else "" for commit in (base, ours, theirs)]
    try:
        meetings.join(texts[0] or None, texts[1], texts[2], path)
    except CoopError as conflict:
        return conflict.message
    return None


def _undo(coop: Coop, previous: str) -> None:
    coop.move_head(git(coop.root, "rev-parse", "HEAD").strip(), previous, "sync: undo a merge that does not verify")


def _is_ancestor(coop: Coop, older: str, newer: str) -> bool:
    return git(coop.root, "merge-base", "--is-ancestor", older, newer, check=False, status=True) == 0


def _up_to_date(coop: Coop, remote: str, branch: str) -> bool:
    theirs = git(coop.root, "rev-parse", "--verify", "-q", f"refs/remotes/{remote}/{branch}", check=False).strip()
    return theirs == git(coop.root, "rev-parse", "HEAD").strip()


def _seen_path(coop: Coop, remote: str) -> Path:
    return coop.git_dir() / "coop" / f"seen-{remote}"


def _remember_remote(coop: Coop, remote: str, commit: str) -> None:
    """The remote's head as this clone last verified it: later remote histories must extend it."""
    path = _seen_path(coop, remote)
    path.parent.mkdir(exist_ok=True)
    path.write_text(commit + "\n", encoding="utf-8")


def _refuse_rewrites(coop: Coop, remote: str, theirs: str) -> None:
    try:
        seen = _seen_path(coop, remote).read_text(encoding="utf-8").strip()
    except OSError:
        seen = ""
    if seen and not _is_ancestor(coop, seen, theirs):
        raise CoopError(
            _("{remote}'s history no longer contains {commit}, which this copy saw there: it was rewritten or force-pushed; nothing was merged").format(
                remote=remote, commit=seen[:10]
            )
        )


def _check_remote_tags(coop: Coop, remote: str) -> None:
    """The remote's audit tags: one this copy verified may not have moved there; new ones are brought in, then verified."""
    space = f"refs/coop/remotes/{remote}/"
    git(coop.root, "fetch", "-q", "--no-tags", remote, f"+refs/tags/audit/*:{space}audit/*", check=False)
    listing = git(coop.root, "for-each-ref", "--format=%(refname) %(objectname)", space)
    theirs = {name[len(space):]: tag_id for name, tag_id in (line.split(" ", 1) for line in listing.split("\n") if " " in line)}
    remembered = verify.remembered_audit_tags(coop)
    for name, tag_id in sorted(theirs.items()):
        if name in remembered and remembered[name] != tag_id:
            raise CoopError(_("{remote}'s audit tag {tag} is not the tag this copy verified: it was moved; nothing was merged").format(remote=remote, tag=name))
    for name, tag_id in theirs.items():
        if not coop.has_ref(f"refs/tags/{name}"):
            git(coop.root, "update-ref", f"refs/tags/{name}", tag_id, "0" * 40, check=False)
