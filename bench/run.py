"""Time coop against hledger and ledger on generated books: `python bench/run.py [--sizes 1000,10000] [--repeat 5] [--directory]`.

Books are built once by make_book.py and cached in bench/out/ (git-ignored); prints the machine and a markdown table.
--directory times coop match and coop bulletin instead, on books of 300 members with 3 offers and 3 wants each.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from make_book import DEFAULT_KEY, treasurer_key

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
# The console script beside this interpreter: a pyenv shim on PATH would add its own start-up to every figure.
SCRIPT = Path(sys.executable).with_name("coop")
COOP = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "coop_cli"]
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("COOP_")}, "LC_ALL": "C.UTF-8", "COLUMNS": "120", "NO_COLOR": "1"}


def measure(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one run.

    GNU time reports the peak; without it, wait4 does, but then counts this Python process's size copied before exec.
    """
    with tempfile.NamedTemporaryFile("r") as report, tempfile.TemporaryFile() as errors:
        wrapped = [TIME, "-f", "%M", "-o", report.name, *command] if TIME else command
        start = time.perf_counter()
        process = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=errors, env=ENV)
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        if status != 0:
            errors.seek(0)
            raise SystemExit(f"{' '.join(command[:4])} ... failed: {errors.read().decode(errors='replace').strip()}")
        peak_kb = int(report.read().split()[-1]) if TIME else usage.ru_maxrss
    return elapsed, peak_kb / 1024


DIRECTORY_MEMBERS, DIRECTORY_SERVICES = 300, 3


def book(size: int, key: Path, directory: bool = False) -> Path:
    """The cached book of `size` exchanges, rebuilt when missing or signed by another key than `key`; with `directory`,
    300 members who each offer 3 services and want 3."""
    folder = OUT / (f"{size}-directory" if directory else str(size))
    public = key.with_name(key.name + ".pub").read_text().split()[1]
    members = folder / "members.yaml"
    if not members.exists() or public not in members.read_text(encoding="utf-8"):
        shutil.rmtree(folder, ignore_errors=True)
        OUT.mkdir(exist_ok=True)
        extra = ["--members", str(DIRECTORY_MEMBERS), "--services", str(DIRECTORY_SERVICES)] if directory else []
        subprocess.run([sys.executable, str(HERE / "make_book.py"), str(size), str(folder), "--key", str(key), *extra], check=True)
    return folder


def journal_args(folder: Path) -> list[str]:
    return [arg for path in sorted((folder / "ledger").glob("*.journal")) for arg in ("-f", str(path))]


def record_command(folder: Path, key: Path) -> list[str]:
    """One quarter hour from the richest member to the poorest, so that repeated runs stay within the limits."""
    done = subprocess.run([*COOP, "-C", str(folder), "balance", "--format", "json"], capture_output=True, text=True, check=True, env=ENV)
    members = sorted((float(row["balance"]), row["member"]) for row in json.loads(done.stdout) if row["member"])
    payer, earner = members[-1][1], members[0][1]
    return [*COOP, "-C", str(folder), "record", payer, earner, "0.25", "Mesure de performance", "--cat", "bench", "--as", "m01", "--key", str(key)]


def timings(label: str, command, repeat: int, setup: list[str] | None = None) -> tuple[str, float, float, float]:
    """Median and min seconds, and the highest peak memory, over `repeat` runs after one warm-up.

    `setup` runs, untimed, before each run (a new commit before an incremental verify).
    """
    runs = []
    for _ in range(repeat + 1):
        if setup:
            subprocess.run(setup, check=True, capture_output=True, env=ENV)
        runs.append(measure(command()))
    runs = runs[1:]
    seconds = [s for s, _mb in runs]
    return label, statistics.median(seconds), min(seconds), max(mb for _s, mb in runs)


def version(command: list[str]) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return "not installed"


def machine() -> list[str]:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0")
    return [
        f"- CPU: {model}, {len(os.sched_getaffinity(0))} processors (nproc), {int(memory) // 1024 ** 2} GB RAM",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}; {version(['hledger', '--version'])}; {version(['ledger', '--version'])}; {version(['git', '--version'])}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of exchanges (default: 1000,10000)")
    parser.add_argument("--repeat", type=int, default=5, help="measured runs per command, after one warm-up (default: 5)")
    parser.add_argument("--key", type=Path, default=DEFAULT_KEY, help=f"treasurer's throwaway key (default: {DEFAULT_KEY})")
    parser.add_argument("--directory", action="store_true", help="time coop match and coop bulletin on books of 300 members with services")
    arguments = parser.parse_args()
    key = treasurer_key(arguments.key)
    if arguments.directory:
        return directory(arguments.sizes, arguments.repeat, key)
    example = HERE.parent
    rows = [
        ("-", *timings("coop --help", lambda: [*COOP, "--help"], arguments.repeat)),
        ("example", *timings("coop balance on the example coop", lambda: [*COOP, "-C", str(example), "balance"], arguments.repeat)),
    ]
    for size in (int(s) for s in arguments.sizes.split(",")):
        folder = book(size, key)
        record = record_command(folder, key)
        balance = [*COOP, "-C", str(folder), "balance"]
        verify = [*COOP, "-C", str(folder), "verify"]
        forget = ["rm", "-rf", str(folder / ".git" / "coop" / "cache")]
        commands = [
            ("coop balance (no cache)", lambda: balance, forget),
            ("coop balance (again, nothing changed)", lambda: balance, None),
            ("coop balance (after one new exchange)", lambda: balance, record),
            ("coop record (one exchange, commit included)", lambda: record, None),
            ("hledger bal", lambda: ["hledger", *journal_args(folder), "bal"], None),
            ("ledger bal", lambda: ["ledger", *journal_args(folder), "bal"], None),
            ("coop verify --full", lambda: [*verify, "--full"], None),
            ("coop verify (after one new commit)", lambda: verify, record),
        ]
        for label, command, setup in commands:
            rows.append((str(size), *timings(label, command, arguments.repeat, setup)))
            print(f"  {rows[-1][0]} {label}: {rows[-1][2]:.3f} s", file=sys.stderr)
    print("\n".join(machine()) + "\n")
    print("| exchanges | command | median s | min s | peak MB |\n|---:|---|---:|---:|---:|")
    for size, label, median, fastest, peak in rows:
        print(f"| {size} | {label} | {median:.3f} | {fastest:.3f} | {peak:.0f} |")
    print("\n" + "\n".join(ratios(rows)))


def directory(sizes: str, repeat: int, key: Path) -> None:
    """coop match and coop bulletin, warm (the balance cache made by an untimed first run), on books with a directory."""
    rows = []
    for size in (int(s) for s in sizes.split(",")):
        folder = book(size, key, directory=True)
        for label, command in [
            ("coop balance", [*COOP, "-C", str(folder), "balance"]),
            (f"coop match ({DIRECTORY_MEMBERS} members, {DIRECTORY_SERVICES} offers and wants each)", [*COOP, "-C", str(folder), "match", "--date", "2026-10-31", "--format", "json"]),
            ("coop bulletin -p 2026-10", [*COOP, "-C", str(folder), "bulletin", "-p", "2026-10"]),
            ("coop bulletin -p 2026-10 --html", [*COOP, "-C", str(folder), "bulletin", "-p", "2026-10", "--html", str(OUT / "bulletin.html")]),
        ]:
            rows.append((str(size), *timings(label, lambda command=command: command, repeat)))
            print(f"  {size} {label}: {rows[-1][2]:.3f} s", file=sys.stderr)
    print("\n".join(machine()) + "\n")
    print("| exchanges | command | median s | min s | peak MB |\n|---:|---|---:|---:|---:|")
    for size, label, median, fastest, peak in rows:
        print(f"| {size} | {label} | {median:.3f} | {fastest:.3f} | {peak:.0f} |")


def ratios(rows: list[tuple[str, str, float, float, float]]) -> list[str]:
    """coop balance without a cache against ledger and hledger on the same files: the targets of issue 6."""
    lines = []
    by_size: dict[str, dict[str, float]] = {}
    for size, label, median, _fastest, _peak in rows:
        by_size.setdefault(size, {})[label] = median
    for size, found in by_size.items():
        cold = found.get("coop balance (no cache)")
        if cold and found.get("ledger bal") and found.get("hledger bal"):
            lines.append(f"- {size}: coop balance (no cache) takes {cold / found['ledger bal']:.2f} of ledger's time and {cold / found['hledger bal']:.2f} of hledger's")
    return lines


if __name__ == "__main__":
    main()
