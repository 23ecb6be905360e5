"""Run every benchmark and write ``docs/benchmarks.md``.

Usage: ``make bench`` (or ``python -m benchmarks [NAME ...]`` to run some sections only,
e.g. ``python -m benchmarks core``; the other sections of the file are kept as they were).

Each ``benchmarks/bench_NAME.py`` exposes ``TITLE`` and ``run() -> str`` returning a Markdown
section body. Every section compares xl-funnel with the alternative a user would reach for,
measured in the same run on the same machine.
"""

from __future__ import annotations

import importlib
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Produced by `make bench` (`python -m benchmarks`); every figure below comes from the run
recorded in its section, with the alternative a user would use measured in the same run.
Times are medians of repeated runs unless a section says otherwise.

"""


def sections() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in Path(__file__).parent.glob("bench_*.py"))


def machine() -> str:
    import os

    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}"
    )


def existing() -> dict[str, str]:
    if not OUTPUT.exists():
        return {}
    parts = re.split(r"(?m)^<!-- section: (\w+) -->\n", OUTPUT.read_text())
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def main(argv: list[str]) -> None:
    chosen = argv or sections()
    kept = existing()
    for name in chosen:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"running {name} …", file=sys.stderr)
        started = time.strftime("%Y-%m-%d")
        body = module.run()
        kept[name] = f"## {module.TITLE}\n\n_Run {started} on {machine()}._\n\n{body.strip()}\n\n"
    text = HEADER + "".join(f"<!-- section: {n} -->\n{kept[n]}" for n in sections() if n in kept)
    OUTPUT.write_text(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1:])
