"""docs/auditing.md, run as written: the auditor's checks with git, ssh-keygen, hledger and ledger alone.

A real coop is built (exchanges, one paid by the coop, a merge made by `coop sync`, a reversal, an auditor's
signed tag). Every ```sh block of the page then runs in order with `bash -euo pipefail`: the `git clone` block
in an empty folder against a bare clone of the coop, the others from the top of the clone it makes. The block
that begins with `#!/bin/sh` is the script the page says to save beside the clone: it is saved there, and must
be docs/audit-without-coop.sh byte for byte. Capitalised placeholders (REMOTE, COMMIT, DATE) are filled in as
the page says. Then the coop is tampered with by hand, with plain git, and the same blocks must say so.

The tools are required, not optional: without them this test fails instead of skipping.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from coop_cli import members as members_format
from conftest import SINCE, cli_env, make_coop, run_coop, ssh_keygen_key

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "auditing.md"
SCRIPT = ROOT / "docs" / "audit-without-coop.sh"
SCRIPT_NAME = "audit-without-coop.sh"  # saved beside the clone, as the page says
TOOLS = ("bash", "sh", "git", "ssh-keygen", "hledger", "ledger", "awk", "sed", "sort", "uniq", "sha256sum", "fold",
         "cmp", "head", "diff", "grep", "cut", "wc", "mktemp")
PLACEHOLDER = re.compile(r"\b(REMOTE|COMMIT|DATE)\b")
FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
PLAIN_GIT = ["-c", "user.name=Mallory", "-c", "user.email=mallory@example.org", "-c", "commit.gpgsign=false"]
MEMBERS = (("agnes", "Agnès", ("treasurer",)), ("bernard", "Bernard", ()), ("claire", "Claire", ()))


def require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    assert not missing, f"docs/auditing.md needs {', '.join(missing)}: install them (this test never skips)"


def doc_blocks() -> list[str]:
    return [code for lang, code in FENCE.findall(DOC.read_text(encoding="utf-8")) if lang == "sh"]


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *PLAIN_GIT, *args], cwd=root, capture_output=True, text=True, check=True).stdout


# ---------------------------------------------------------------- a real coop

@dataclass
class Books:
    root: Path  # the coop under audit: a member's copy made by `coop clone`, holding a merge and the audit tag
    tag: str
    entries: int


def coop(root: Path, keys: dict[str, Path], *args: str, as_: str = "agnes") -> str:
    path = os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]  # git runs `coop merge-driver`
    done = run_coop("-C", str(root), *args, env=cli_env(COOP_AS=as_, COOP_KEY=str(keys[as_]), PATH=path))
    assert done.returncode == 0, f"coop {' '.join(args)}: {done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> Books:
    """The coop_repo coop (agnes treasurer, bernard, claire), then everything an auditor may meet."""
    require_tools()
    folder = tmp_path_factory.mktemp("audited")
    fixture = make_coop(folder, MEMBERS)
    keys = fixture.keys
    for payer, earner, hours, what in (("bernard", "agnes", "2", "Jardinage"), ("claire", "bernard", "1.5", "Couture"),
                                       ("coop", "claire", "1", "Réunion")):
        coop(fixture.root, keys, "record", payer, earner, hours, what, "--date", "2026-03-10")
    keys["eric"] = ssh_keygen_key(folder / "keys", "eric")
    coop(fixture.root, keys, "member", "add", "eric", "--name", "Eric", "--role", "auditor", "--pubkey", f"{keys['eric']}.pub",
         "--since", SINCE, "--decision", fixture.decision("Eric audite les comptes"))
    # Two copies record at once; `coop sync` merges them with the journal driver, in a commit signed by agnes.
    remote = folder / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(fixture.root), str(remote)], check=True)
    copies = [folder / "a", folder / "b"]
    for copy in copies:
        done = run_coop("clone", str(remote), str(copy), "--as", "agnes", "--key", str(keys["agnes"]), env=cli_env())
        assert done.returncode == 0, done.stderr
    a, b = copies
    coop(a, keys, "record", "bernard", "claire", "1", "Vélo", "--date", "2026-03-12")
    coop(b, keys, "record", "claire", "agnes", "0.5", "Retouche", "--date", "2026-03-13")
    for copy in (a, b, a):
        coop(copy, keys, "sync")
    assert len(git(a, "rev-list", "--merges", "HEAD").split()) == 1
    retouche = re.search(r"Retouche\n    ; id: (\w+)", (a / "ledger" / "2026-03.journal").read_text(encoding="utf-8"))
    coop(a, keys, "revert", retouche[1], "--reason", "Saisi deux fois")
    coop(a, keys, "audit", "sign", as_="eric")
    tags = git(a, "tag", "-l", "audit/*").split()
    assert len(tags) == 1, tags
    return Books(a, tags[0], entries=6)


# ---------------------------------------------------------------- the page, run as written

@dataclass
class Ran:
    code: str
    status: int
    out: str
    err: str


class Run(list):
    def block(self, needle: str) -> Ran:
        """The one block whose code contains `needle`."""
        found = [ran for ran in self if needle in ran.code]
        assert len(found) == 1, f"{len(found)} blocks of docs/auditing.md contain {needle!r}"
        return found[0]

    def starting(self, prefix: str) -> Ran:
        """The one block whose code begins with `prefix`."""
        found = [ran for ran in self if ran.code.startswith(prefix)]
        assert len(found) == 1, f"{len(found)} blocks of docs/auditing.md begin with {prefix!r}"
        return found[0]

    def failed(self) -> list[Ran]:
        return [ran for ran in self if ran.status != 0]


def run_doc(books: Path, folder: Path) -> Run:
    """Every sh block of the page, in order, as an auditor with only git and the tools would run them."""
    folder.mkdir()
    (folder / "home").mkdir()
    remote = folder / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(books), str(remote)], check=True)
    tag = git(books, "tag", "-l", "audit/*").split()[0]
    first_record = git(books, "log", "--reverse", "--format=%H", "--grep=^record:").split()[0]
    values = {"REMOTE": str(remote), "DATE": tag.removeprefix("audit/"), "COMMIT": first_record}
    env = {"PATH": os.environ["PATH"], "HOME": str(folder / "home"), "LC_ALL": "C.UTF-8", "LANGUAGE": "en",
           "TMPDIR": os.environ.get("TMPDIR", "/tmp"), "GIT_CONFIG_NOSYSTEM": "1"}
    clone = folder / "books"
    ran = Run()
    blocks = doc_blocks()
    assert sum("git clone" in code for code in blocks) == 1, "the page has one `git clone` block"
    assert "git clone" in blocks[0], "the `git clone` block comes first: the others run in the clone it makes"
    for code in blocks:
        if code.startswith("#!"):
            (folder / SCRIPT_NAME).write_text(code, encoding="utf-8")
            ran.append(Ran(code, 0, "", ""))
            continue
        command = PLACEHOLDER.sub(lambda m: values[m[1]], code)
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=folder if "git clone" in code else clone,
                              env=env, capture_output=True, text=True, timeout=120)
        ran.append(Ran(code, done.returncode, done.stdout, done.stderr))
    return ran


def show(ran: Ran) -> str:
    return f"\n--- block:\n{ran.code}--- status {ran.status}\n--- stdout:\n{ran.out}--- stderr:\n{ran.err}"


def last_line(text: str) -> str:
    return [line for line in text.splitlines() if line.strip()][-1].strip()


# ---------------------------------------------------------------- the tests

def test_the_page_has_what_the_test_relies_on():
    blocks = doc_blocks()
    listings = [code for code in blocks if code.startswith("#!")]
    assert listings == [SCRIPT.read_text(encoding="utf-8")], "the script in the page and docs/audit-without-coop.sh differ"
    assert any(f"sh ../{SCRIPT_NAME} allowed_signers" in code for code in blocks)
    for placeholder in ("REMOTE", "COMMIT", "DATE"):
        assert f"`{placeholder}`" in DOC.read_text(encoding="utf-8"), f"the page does not define {placeholder}"


def test_every_command_of_the_page_passes_on_honest_books(books, tmp_path):
    require_tools()
    ran = run_doc(books.root, tmp_path / "auditor")
    assert not ran.failed(), "".join(show(r) for r in ran.failed())

    head = git(books.root, "rev-parse", "HEAD").strip()
    assert ran.block("git rev-parse HEAD").out.strip() == head

    # The allowed-signers file made by awk is the one coop derives from the register.
    signers = (tmp_path / "auditor" / "books" / "allowed_signers").read_text()
    register = members_format.parse((books.root / "members.yaml").read_text(encoding="utf-8"))
    expected = [line for line in members_format.allowed_signers(register).splitlines() if not line.startswith("#")]
    assert signers.splitlines() == expected and len(expected) == 4
    assert "id: eric" in ran.block("git log -p -- members.yaml").out
    then = ran.block("git show COMMIT:members.yaml").out
    assert "id: claire" in then and "id: eric" not in then, "COMMIT is a record made before eric joined"

    # Every commit is G, the merge included, but the first one (coop init, before any key).
    listing = ran.block("log --format='%H %G? %GS %s'\n").out.splitlines()
    assert len(listing) == int(git(books.root, "rev-list", "--count", "HEAD"))
    assert all(line.split()[1:3] == ["G", "agnes"] for line in listing[:-1]), listing
    assert listing[-1].split()[1] == "N" and "init:" in listing[-1]
    assert any("sync: merge" in line for line in listing)
    not_good = ran.block("""awk '$2 != "G"'""").out.splitlines()
    assert len(not_good) == 1 and "init:" in not_good[0], not_good
    one = ran.block("--show-signature -1")
    assert 'Good "git" signature for agnes' in one.out + one.err

    # Every entry verifies with ssh-keygen.
    entries = ran.starting(f"sh ../{SCRIPT_NAME}").out.splitlines()
    assert entries[-1] == f"{books.entries} entries checked, 0 failed", entries
    assert len([line for line in entries if line.startswith("OK   ledger/")]) == books.entries
    ids = re.findall(r"; id: (\w+)", "".join(p.read_text(encoding="utf-8") for p in (books.root / "ledger").glob("*.journal")))
    assert len(ids) == books.entries and all(any(i in line for line in entries) for i in ids)

    # Append-only: nothing deleted, against the first parent or any parent of the merge; no file removed; bytes kept.
    for needle in ("--diff-merges=first-parent --numstat", "--merges --no-renames --diff-merges=separate",
                   "--diff-filter=DR", "git rev-list HEAD"):
        assert ran.block(needle).out == "", show(ran.block(needle))

    # Balances with hledger and with ledger; no id twice.
    hledger, ledger = ran.starting("hledger $(printf"), ran.starting("ledger $(printf")
    assert last_line(hledger.out) == "0" and last_line(ledger.out) == "0"
    assert [line.strip() for line in hledger.out.splitlines()] == [line.strip() for line in ledger.out.splitlines()]
    assert "-1.00 H  coop" in hledger.out, "the coop paid for the meeting"
    assert ran.block("uniq -d").out == ""

    # The audit tag: signed by eric, an auditor, in the history; hledger recomputes what it says.
    tag = ran.block("tag -v audit/DATE")
    assert 'Good "git" signature for eric' in tag.err, show(tag)
    assert f"{books.tag} is in the history of HEAD" in tag.out and "eric is an auditor" in tag.out
    recomputed = ran.block("git worktree add")
    assert "the tag matches the books at its commit" in recomputed.out, show(recomputed)
    message = git(books.root, "cat-file", "tag", books.tag)
    for field in ("entries: ", "hours exchanged: ", "balances: sha256:"):
        said = next(line for line in message.splitlines() if line.startswith(field))
        assert said in recomputed.out.splitlines(), (said, recomputed.out)
    assert f"entries: {books.entries}\n" in message
    assert not (tmp_path / "auditor" / "books" / ".git" / "worktrees").exists() or not any(
        (tmp_path / "auditor" / "books" / ".git" / "worktrees").iterdir()), "the block removes its worktree"


def test_the_same_commands_catch_an_edited_amount_and_a_replayed_entry(books, tmp_path):
    require_tools()
    tampered = tmp_path / "tampered"
    subprocess.run(["git", "clone", "-q", str(books.root), str(tampered)], check=True)
    journal = tampered / "ledger" / "2026-03.journal"
    text = journal.read_text(encoding="utf-8")

    # Mallory turns Jardinage's 2 hours into 3, on both postings so that the balances still sum to zero...
    first, _, rest = text.partition("\n\n")
    assert "Jardinage" in first and first.count(" 2.00 H") == 1 and first.count("-2.00 H") == 1
    journal.write_text(first.replace(" 2.00 H", " 3.00 H").replace("-2.00 H", "-3.00 H") + "\n\n" + rest, encoding="utf-8")
    git(tampered, "commit", "-qam", "fix a typo")
    edit = git(tampered, "rev-parse", "HEAD").strip()
    # ... then replays the coop's meeting entry, slipped in between old entries: its signature is genuine.
    text = journal.read_text(encoding="utf-8")
    entries = text.split("\n\n")
    meeting = next(e for e in entries if "Réunion" in e)
    journal.write_text("\n\n".join([entries[0], meeting, *entries[1:]]), encoding="utf-8")
    git(tampered, "commit", "-qam", "tidy")
    replay = git(tampered, "rev-parse", "HEAD").strip()
    meeting_id = re.search(r"; id: (\w+)", meeting)[1]

    ran = run_doc(tampered, tmp_path / "auditor")
    script = ran.starting(f"sh ../{SCRIPT_NAME}")
    assert [r for r in ran.failed()] == [script], "".join(show(r) for r in ran.failed())

    # The two hand-made commits are not signed.
    not_good = ran.block("""awk '$2 != "G"'""").out.splitlines()
    assert [line.split()[:2] for line in not_good[:2]] == [[replay, "N"], [edit, "N"]], not_good
    assert len(not_good) == 3 and "init:" in not_good[2], not_good

    # The edited entry's signature fails; the replayed copy verifies, as its signature is genuine.
    lines = script.out.splitlines()
    assert script.status == 1 and lines[-1] == f"{books.entries + 1} entries checked, 1 failed", lines
    failures = [line for line in lines if line.startswith("FAIL")]
    assert len(failures) == 1 and failures[0].startswith("FAIL ledger/2026-03.journal:1 ") and "incorrect signature" in failures[0]

    # Append-only: the edit deleted lines; the replay deleted none, but the byte check sees both.
    assert ran.block("--diff-merges=first-parent --numstat").out.splitlines() == [f"{edit} ledger/2026-03.journal 2 line(s) deleted"]
    assert ran.block("--merges --no-renames --diff-merges=separate").out == ""
    assert ran.block("--diff-filter=DR").out == ""
    prefix = ran.block("git rev-list HEAD").out.splitlines()
    assert prefix == [f"{replay} ledger/2026-03.journal: does not begin with what it held before",
                      f"{edit} ledger/2026-03.journal: does not begin with what it held before"], prefix

    # The balances still sum to zero: they cannot show this tampering. The replay repeats an id.
    assert last_line(ran.starting("hledger $(printf").out) == "0" and last_line(ran.starting("ledger $(printf").out) == "0"
    assert ran.block("uniq -d").out.split() == [";", "id:", meeting_id]

    # The audit tag still holds: it attests the books up to its commit, before the tampering.
    assert "the tag matches the books at its commit" in ran.block("git worktree add").out
