"""Check that a change of code left every output byte-identical, against a git revision.

    python benchmarks/same_outputs.py --against REV [--sizes M] [--keep DIR]

Builds the same projects with the code at REV (checked out in a temporary git worktree) and
with the code of this checkout, every format, no cache, SOURCE_DATE_EPOCH fixed, and compares
the two output trees file by file. The projects: the bundled example, every `journey init`
template in Japanese and English (made by this checkout's scaffold, so both sides build the
same files) and the benchmark's generated projects of the given sizes (M by default).

Prints one line per project and exits 1 when any file differs or is missing on one side.
Restructuring commits (same behaviour, new layout) must pass it; a change that means to
alter an output does not.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EPOCH = "1767225600"  # 2026-01-01: any fixed value
LANGS = ("ja", "en")


def run(args: list[str], cwd: Path, code: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(code), "SOURCE_DATE_EPOCH": EPOCH}
    env["JOURNEY_CACHE_DIR"] = tempfile.mkdtemp(prefix="journey-same-cache-")
    return subprocess.run(
        [sys.executable, "-m", "toolkit", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


def templates(code: Path) -> list[str]:
    done = run(["init", "--list"], REPO, code)
    return [line.split()[0] for line in done.stdout.splitlines() if line.strip()]


def projects(work: Path, sizes: list[str]) -> dict[str, Path]:
    """name -> project folder, made once and built by both sides."""
    found = {"example": REPO}
    for name in templates(REPO):
        for lang in LANGS:
            dest = work / "projects" / f"init-{name}-{lang}"
            done = run(["init", str(dest), "--template", name, "--lang", lang], REPO, REPO)
            if done.returncode != 0:
                raise SystemExit(f"journey init --template {name} failed: {done.stderr}")
            found[dest.name] = dest
    sys.path.insert(0, str(REPO))
    from benchmarks.generate import generate

    for size in sizes:
        dest = work / "projects" / f"generated-{size}"
        generate(dest, size)
        found[dest.name] = dest
    return found


def differences(left: Path, right: Path) -> list[str]:
    """Relative paths that differ, or exist on one side only."""
    out: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        out.extend(prefix + name for name in (*cmp.left_only, *cmp.right_only, *cmp.funny_files))
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        out.extend(prefix + name for name in (*mismatch, *errors))
        for name, sub in sorted(cmp.subdirs.items()):
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(left, right), "")
    return sorted(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", required=True, help="git revision to compare with")
    parser.add_argument("--sizes", nargs="*", default=["M"], help="generated sizes (S M L)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the outputs here")
    args = parser.parse_args(argv)
    work = Path(args.keep or tempfile.mkdtemp(prefix="journey-same-"))
    base = work / "base-code"
    subprocess.run(
        ["git", "worktree", "add", "--detach", "-q", str(base), args.against], cwd=REPO, check=True
    )
    failed = 0
    try:
        for name, project in projects(work, args.sizes).items():
            outs = {}
            for side, code in (("base", base), ("this", REPO)):
                out = work / side / name
                done = run(["build", str(project), "-o", str(out), "--no-cache"], REPO, code)
                if done.returncode != 0:
                    print(f"{name}: the {side} build failed: {done.stderr.strip()[-400:]}")
                    failed += 1
                    break
                outs[side] = out
            else:
                diff = differences(outs["base"], outs["this"])
                count = sum(1 for p in outs["this"].rglob("*") if p.is_file())
                print(f"{name}: {'identical' if not diff else 'DIFFERENT'} ({count} files)")
                for path in diff:
                    print(f"  differs: {path}")
                failed += bool(diff)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=REPO, check=False)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
