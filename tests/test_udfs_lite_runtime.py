"""xl_funnel.udfs under xlwings' own Office.js dispatcher, the code xlwings Lite runs.

xlwings ships the dispatcher xlwings Lite and xlwings Server use to register and call custom
functions (``custom_functions_meta`` / ``custom_functions_call``). Run in a fresh interpreter
with ``XLWINGS_ON_SERVER=true`` (so ``xw.func`` is that runtime's decorator, not the no-op of
Linux), it proves what a Lite user gets: every function registered with its description and
argument help, optional arguments marked, a blank optional cell taking its default, ranges
passed as rows, and our error texts turned into real Excel errors.

The dispatcher lives in xlwings' PRO package, which wants a license key at import; xlwings'
free non-commercial key ("noncommercial") is enough to run it in a test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from xl_funnel.excel.registry import FUNCTIONS

SCRIPT = textwrap.dedent(
    """
    import asyncio, json, xlwings
    from xlwings.server import custom_functions_call, custom_functions_meta
    from xl_funnel import udfs

    def call(name, *args):
        data = {
            "func_name": name, "args": list(args), "version": xlwings.__version__,
            "client": "Office.js", "caller_address": "Sheet1!A1", "runtime": "1.4",
            "culture_info_name": "en-US", "date_format": "M/d/yyyy",
        }
        return asyncio.run(custom_functions_call(data, udfs))

    rates = [[0.015], [0.2], [0.2], [0.4], [0.5]]
    names = [["Visits"], ["Leads"], ["MQLs"], ["SQLs"], ["Opportunities"], ["Customers"]]
    print(json.dumps({
        "meta": custom_functions_meta(udfs),
        "named": call("FUNNEL_BACKSOLVE", [[9.0]], rates, [[12.0]], [[None]], [[None]], names),
        "row": call("FUNNEL_BACKSOLVE", [[9.0]], [[0.015, 0.2, 0.2, 0.4, 0.5]], [[12.0]]),
        "na": call("FUNNEL_BACKSOLVE", [[9.0]], [[0.015], ["#N/A"]]),
        "num": call("FUNNEL_BACKSOLVE", [[9.0]], [[0.015], [0.0]]),
        "div": call("VALUE_PER_LEAD", [[1.5e6, 0.0]], [[2500.0, 0.0]]),
        "value": call("CUSTOMERS_NEEDED", [["ten"]], [[1.0]]),
        "target": call("TARGET_REVENUE", [[8e6]], [[0.25]], [[None]]),
    }))
    """
)


def run_in_lite_dispatcher() -> dict:
    env = dict(os.environ, XLWINGS_ON_SERVER="true", XLWINGS_LICENSE_KEY="noncommercial")
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_lite_registration_calls_and_error_values():
    report = run_in_lite_dispatcher()

    registered = {item["id"]: item for item in report["meta"]["functions"]}
    assert set(registered) == {spec.name for spec in FUNCTIONS}
    for spec in FUNCTIONS:
        item = registered[spec.name]
        assert item["name"] == spec.name
        assert item["description"] == spec.summary
        assert [p["name"] for p in item["parameters"]] == [arg.name for arg in spec.args]
        assert [p["description"] for p in item["parameters"]] == [arg.help for arg in spec.args]
        assert [p.get("optional", False) for p in item["parameters"]] == [
            arg.optional for arg in spec.args
        ]

    named = report["named"]
    assert [row[0] for row in named] == [
        "Visits",
        "Leads",
        "MQLs",
        "SQLs",
        "Opportunities",
        "Customers",
    ]
    assert [round(row[1], 9) for row in named] == [6250.0, 93.75, 18.75, 3.75, 1.5, 0.75]
    assert [round(v, 9) for (v,) in report["row"]] == [6250.0, 93.75, 18.75, 3.75, 1.5, 0.75]

    def error(kind: str) -> dict:
        return {"type": "Error", "errorType": kind}

    assert report["na"] == [[error("NotAvailable")]]
    assert report["num"] == [[error("Num")]]
    assert report["div"] == [[600.0, error("Div0")]]
    assert report["value"] == [[error("Value")]]
    assert report["target"] == [[10_000_000.0]]
