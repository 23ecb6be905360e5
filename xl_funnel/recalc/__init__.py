"""Headless recalculation: compute a workbook's formulas without Excel and write the values back.

:func:`~xl_funnel.recalc.workflow.recalculate` is the whole job behind ``xl-funnel recalc``:
read the package safely (:mod:`~xl_funnel.recalc.package`), evaluate every formula with the
embedded engine (:mod:`~xl_funnel.recalc.engine`, formualizer plus the xl-funnel functions the
workbook calls, their omitted arguments marked by :mod:`~xl_funnel.recalc.omitted_args`), and
copy the package with only the cached values of formula cells rewritten
(:mod:`~xl_funnel.recalc.sheet_xml`, :mod:`~xl_funnel.recalc.writer`).
:mod:`~xl_funnel.recalc.scenarios` sweeps a plan over a grid of inputs.
Nothing here imports pandas or openpyxl, and numpy loads only when a workbook calls an xl-funnel
function (``tests/test_recalc_startup.py``).
"""
