"""Set-up and everyday tasks, with nothing but Python (>= 3.11) and pip.

    python3 dev.py demo     # create .venv, install timeline, run the Istanbul example
    python3 dev.py test     # create .venv, install timeline[dev], run the test suite
    python3 dev.py lint     # ruff check, ruff format --check, mypy --strict src
    python3 dev.py docs     # build the documentation site into site/ (mkdocs --strict)
    python3 dev.py bench    # the benchmarks under benchmarks/

The virtual environment is made once and refreshed when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"


def run(*args: str | Path) -> None:
    """Run a command from the project's root, stopping on failure."""
    print("+", " ".join(str(a) for a in args), flush=True)
    done = subprocess.run([str(a) for a in args], cwd=ROOT, check=False)
    if done.returncode:
        raise SystemExit(done.returncode)


def ensure(extra: str = "") -> None:
    """Create .venv and install the project (with an extra) if pyproject.toml changed."""
    spec = f".[{extra}]" if extra else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    stamp = VENV / f".installed-{extra or 'core'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    if not PYTHON.exists():
        print(f"+ creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    run(PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "-e", spec)
    stamp.write_text(digest)


def demo() -> None:
    """The main job: record the Istanbul round into istanbul.db and print it."""
    ensure()
    run(PYTHON, "examples/istanbul_2025.py", *(sys.argv[2:] or ["istanbul.db"]))


def test() -> None:
    """The test suite, doctests included."""
    ensure("dev")
    run(PYTHON, "-m", "pytest", *sys.argv[2:])


def lint() -> None:
    """Style, formatting and types."""
    ensure("dev")
    run(BIN / "ruff", "check", ".")
    run(BIN / "ruff", "format", "--check", ".")
    run(BIN / "mypy", "--strict", "src")


def docs() -> None:
    """The documentation site, with every warning an error."""
    ensure("dev")
    run(BIN / "mkdocs", "build", "--strict", "--site-dir", ROOT / "site", *sys.argv[2:])


def bench() -> None:
    """Every benchmark, with its default sizes."""
    ensure("dev")
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        run(PYTHON, script, *sys.argv[2:])


TASKS = {"demo": demo, "test": test, "lint": lint, "docs": docs, "bench": bench}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TASKS:
        print(__doc__)
        raise SystemExit(2)
    TASKS[sys.argv[1]]()
