"""xl_funnel.udfs loads where only numpy, pandas, openpyxl and xlwings exist (xlwings Lite).

A fresh interpreter gets an import hook that refuses every third-party module outside those
four distributions and their own dependencies (formualizer, defusedxml, click, hypothesis, …
all become ModuleNotFoundError), then imports the UDF module and runs a function of each
kind. Pyodide provides numpy and pandas; micropip installs the rest from PyPI as pure-Python
wheels.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ALLOWED = ("numpy", "pandas", "openpyxl", "xlwings")
ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import importlib.abc
    import importlib.metadata as md
    import json
    import re
    import sys

    def closure(names):
        seen, todo = set(), list(names)
        while todo:
            name = re.split(r"[^A-Za-z0-9_.-]", todo.pop(), maxsplit=1)[0].lower()
            if name in seen:
                continue
            seen.add(name)
            try:
                requires = md.requires(name) or []
            except md.PackageNotFoundError:
                continue
            todo += [r for r in requires if "extra ==" not in r]
        return seen

    allowed_dists = closure(ALLOWED)
    allowed = {"xl_funnel"} | set(sys.stdlib_module_names)
    for top, dists in md.packages_distributions().items():
        if any(d.lower().replace("_", "-") in allowed_dists for d in dists):
            allowed.add(top)
    blocked = []

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            top = name.partition(".")[0]
            if top in allowed or top.startswith("_"):
                return None
            blocked.append(top)
            raise ModuleNotFoundError(f"blocked in this test: {name}", name=name)

    for name in ("formualizer", "defusedxml", "click", "hypothesis"):
        assert name not in allowed, name
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, Blocker())

    from xl_funnel import udfs

    rates = [[0.015], [0.2], [0.2], [0.4], [0.5]]
    table = [["spend", "leads", "mqls", "customers", "revenue"], [1.0, 1.0, 1.0, 1.0, 2.0]]
    print(json.dumps({
        "backsolve": udfs.FUNNEL_BACKSOLVE(9, rates, 12)[-1],
        "roi": udfs.CHANNEL_ROI([[1.0, 2.0]], 1.0),
        "metrics": udfs.CHANNEL_METRICS(table)[1][-1],
        "functions": udfs.__all__,
        "loaded": sorted({m.partition(".")[0] for m in sys.modules} - set(sys.stdlib_module_names)),
        "blocked": sorted(set(blocked)),
    }))
    """
).replace("ALLOWED", repr(ALLOWED))


def test_udfs_import_with_only_the_lite_dependencies():
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["backsolve"] == [0.75]
    assert report["roi"] == [[0.0, 1.0]]
    assert report["metrics"] == 1.0  # efficiency index of the only channel
    assert "FUNNEL_BACKSOLVE" in report["functions"]
    for forbidden in ("formualizer", "defusedxml", "click", "hypothesis", "pytest"):
        assert forbidden not in report["loaded"]
    assert {"numpy", "pandas", "xlwings", "xl_funnel"} <= set(report["loaded"])


def test_lite_requirements_install_the_wheel_pip_builds_not_a_bare_name():
    """xl-funnel is not on PyPI yet: the line is the URL of the wheel `pip wheel` writes for
    this version (a py3-none-any wheel, named per PEP 427), never the bare name."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wheel = f"{re.sub(r'[-_.]+', '_', project['name'])}-{project['version']}-py3-none-any.whl"
    text = (ROOT / "workbooks" / "lite" / "requirements.txt").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    requirements = [line for line in lines if not line.startswith("#")]
    assert requirements == [f"https://YOUR-HOST/{wheel}"]
    assert "#     python -m pip wheel . -w dist --no-deps" in lines
    assert f"# put dist/{wheel} on an https server that sends CORS headers" in lines
    publish = "# Once xl-funnel is published on PyPI, replace the line below with just:  xl-funnel"
    assert publish in lines
    docs = (ROOT / "docs" / "excel.md").read_text(encoding="utf-8")
    assert f"https://YOUR-HOST/{wheel}" in docs
    assert "python -m pip wheel . -w dist --no-deps" in docs
