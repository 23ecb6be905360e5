"""The registry describes every Excel function once; everything else is generated from it."""

from __future__ import annotations

import inspect
import json

import pytest
from click.testing import CliRunner

from xl_funnel import udfs
from xl_funnel.cli import cli
from xl_funnel.excel import docgen, registry
from xl_funnel.excel.registry import FUNCTIONS, SPEC_MODULES, get
from xl_funnel.excel.spec import Arg, Example, ExcelFunction

ISSUE_3 = [
    "TARGET_REVENUE",
    "CUSTOMERS_NEEDED",
    "FUNNEL_BACKSOLVE",
    "FUNNEL_FORWARD",
    "FUNNEL_RATES",
    "VALUE_PER_LEAD",
    "VALUE_PER_VISIT",
    "VISITS_PER_LEAD",
    "CHANNEL_ROI",
    "CHANNEL_METRICS",
]
# Issue 3's table: argument order is the contract.
SIGNATURES = {
    "TARGET_REVENUE": "TARGET_REVENUE(history_or_last, [growth_or_uplift], [method])",
    "CUSTOMERS_NEEDED": "CUSTOMERS_NEEDED(new_revenue, avg_deal_size, [round_up])",
    "FUNNEL_BACKSOLVE": (
        "FUNNEL_BACKSOLVE(target, rates, [periods], [round_up], [buffer], [stage_names])"
    ),
    "FUNNEL_FORWARD": "FUNNEL_FORWARD(top, rates, [stage_names])",
    "FUNNEL_RATES": "FUNNEL_RATES(counts)",
    "VALUE_PER_LEAD": "VALUE_PER_LEAD(revenue, leads)",
    "VALUE_PER_VISIT": "VALUE_PER_VISIT(revenue, visits)",
    "VISITS_PER_LEAD": "VISITS_PER_LEAD(visits, leads)",
    "CHANNEL_ROI": "CHANNEL_ROI(revenue, cost)",
    "CHANNEL_METRICS": "CHANNEL_METRICS(table, [attributed_revenue])",
}


def test_issue_3_functions_come_first_with_the_contracted_signatures():
    names = [spec.name for spec in FUNCTIONS]
    assert names[: len(ISSUE_3)] == ISSUE_3
    assert len(set(names)) == len(names)
    for name, signature in SIGNATURES.items():
        assert get(name).signature() == signature


def test_min_and_max_args():
    assert (get("FUNNEL_BACKSOLVE").min_args, get("FUNNEL_BACKSOLVE").max_args) == (2, 6)
    assert (get("TARGET_REVENUE").min_args, get("TARGET_REVENUE").max_args) == (1, 3)
    assert (get("CHANNEL_METRICS").min_args, get("CHANNEL_METRICS").max_args) == (1, 2)


def test_every_spec_is_complete():
    for spec in FUNCTIONS:
        assert spec.category == "xl-funnel"
        assert 0 < len(spec.summary) <= 255
        assert spec.examples, spec.name
        assert spec.errors, spec.name
        assert spec.returns
        assert all(0 < len(arg.help) <= 255 for arg in spec.args)
        assert spec.adapter(*spec.examples[0].args) == spec(*spec.examples[0].args)


def test_get_is_case_insensitive_and_names_the_known_functions():
    assert get(" funnel_backsolve ") is get("FUNNEL_BACKSOLVE")
    with pytest.raises(KeyError, match="no xl-funnel function 'NOPE'; known: TARGET_REVENUE"):
        get("NOPE")


def test_spec_modules_each_declare_functions_and_a_duplicate_is_refused():
    assert SPEC_MODULES[0] == "xl_funnel.excel.functions_funnel"
    with pytest.raises(RuntimeError, match="TARGET_REVENUE is declared twice"):
        registry._collect((SPEC_MODULES[0], SPEC_MODULES[0]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "funnel_backsolve"}, "UPPER_SNAKE"),
        ({"summary": "x" * 256}, "255"),
        ({"args": (Arg("a", "help", optional=True), Arg("b", "help"))}, "optional arguments"),
        ({"examples": (Example((), "no arguments"),)}, "an example has 0 arguments"),
    ],
)
def test_malformed_specs_are_refused(kwargs, message):
    spec = {
        "name": "GOOD_NAME",
        "summary": "A summary.",
        "args": (Arg("a", "help"),),
        "compute": lambda a: a,
        "returns": "a",
    }
    with pytest.raises(ValueError, match=message):
        ExcelFunction(**(spec | kwargs))


def test_arity_errors_are_python_errors_not_cell_values():
    with pytest.raises(TypeError, match=r"FUNNEL_RATES\(counts\) takes 1 to 1 arguments, got 2"):
        get("FUNNEL_RATES")([[1.0]], [[2.0]])


# --- the xlwings module ----------------------------------------------------------------


def test_udfs_exposes_every_function_with_its_signature_and_metadata():
    assert udfs.__all__ == [spec.name for spec in FUNCTIONS]
    for spec in FUNCTIONS:
        udf = getattr(udfs, spec.name)
        assert udf.__name__ == spec.name
        assert udf.__doc__ == spec.summary
        parameters = list(inspect.signature(udf).parameters.values())
        assert [p.name for p in parameters] == [arg.name for arg in spec.args]
        for parameter, arg in zip(parameters, spec.args, strict=True):
            assert (
                (parameter.default is None)
                if arg.optional
                else (parameter.default is inspect.Parameter.empty)
            )
        example = spec.examples[0]
        assert udf(*example.args) == spec(*example.args)


def test_udfs_accept_keywords_like_python_functions():
    rates = [[0.015], [0.2], [0.2], [0.4], [0.5]]
    assert udfs.FUNNEL_BACKSOLVE(9, rates, periods=12, round_up=True)[-1] == [1.0]
    with pytest.raises(TypeError):
        udfs.FUNNEL_BACKSOLVE(9, rates, periods=12, nonsense=1)


# --- generated documentation and listing ------------------------------------------------


def test_docs_functions_md_is_up_to_date():
    committed = docgen.DEFAULT_PATH.read_text(encoding="utf-8")
    assert committed == docgen.render(), (
        f"docs/functions.md is stale: run {docgen.REGENERATE} and commit the result"
    )


def test_docs_show_every_function_with_computed_results():
    text = docgen.render()
    for spec in FUNCTIONS:
        assert f"## {spec.name}\n" in text
        assert f"`{spec.signature()}`" in text
    assert "=FUNNEL_BACKSOLVE(9, {0.015;0.2;0.2;0.4;0.5}, 12)" in text
    assert "| Customers | 0.75 |" in text
    assert "| 600 | 600 | #DIV/0! |" in text


def test_docgen_check_mode(tmp_path):
    stale = tmp_path / "functions.md"
    stale.write_text("old\n", encoding="utf-8")
    assert docgen.main([str(stale), "--check"]) == 1
    assert docgen.main([str(stale)]) == 0
    assert docgen.main([str(stale), "--check"]) == 0
    assert stale.read_text(encoding="utf-8") == docgen.render()


def test_functions_command_lists_every_function():
    result = CliRunner().invoke(cli, ["functions"])
    assert result.exit_code == 0
    for spec in FUNCTIONS:
        assert f"{spec.signature()}\n    {spec.summary}\n" in result.output


def test_functions_command_json():
    result = CliRunner().invoke(cli, ["functions", "--json"])
    assert result.exit_code == 0
    listing = json.loads(result.output)
    assert [item["name"] for item in listing] == [spec.name for spec in FUNCTIONS]
    backsolve = listing[[item["name"] for item in listing].index("FUNNEL_BACKSOLVE")]
    assert backsolve["min_args"] == 2
    assert backsolve["max_args"] == 6
    assert backsolve["args"][5] == {
        "name": "stage_names",
        "help": get("FUNNEL_BACKSOLVE").args[5].help,
        "optional": True,
    }
    assert {"value": "#NUM!", "when": get("FUNNEL_BACKSOLVE").errors[0][1]} in backsolve["errors"]
