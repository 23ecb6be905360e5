"""The package's public surface: every advertised name resolves, and importing is light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import xl_funnel


def test_every_public_name_resolves_to_its_defining_module():
    for name in xl_funnel.__all__:
        value = getattr(xl_funnel, name)
        if name != "__version__":
            assert value.__module__ == xl_funnel._EXPORTS[name]
    assert set(xl_funnel.__all__) <= set(dir(xl_funnel))


def test_all_lists_exactly_the_exports():
    assert sorted(xl_funnel.__all__) == sorted(["__version__", *xl_funnel._EXPORTS])


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_function"):
        xl_funnel.no_such_function  # noqa: B018


def test_importing_the_package_imports_no_numpy_or_pandas():
    code = "import sys, xl_funnel; print('numpy' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_no_submodule_shadows_an_exported_function():
    # Importing xl_funnel.X binds the module X onto the package: a module named like an
    # exported function (xl_funnel.schedule once was) would then replace the function.
    code = (
        "import importlib, pkgutil, types, xl_funnel\n"
        "for info in pkgutil.walk_packages(xl_funnel.__path__, 'xl_funnel.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = [n for n in xl_funnel._EXPORTS\n"
        "       if isinstance(getattr(xl_funnel, n), types.ModuleType)]\n"
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
