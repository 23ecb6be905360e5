"""The Excel layer: every xl-funnel worksheet function, described once.

:mod:`xl_funnel.excel.registry` lists the functions; :mod:`xl_funnel.udfs` decorates them for
xlwings, the headless recalculation engine registers them, ``xl-funnel functions`` lists them
and :mod:`xl_funnel.excel.docgen` writes ``docs/functions.md`` from them.
"""
