"""xl-funnel's Excel functions in xlwings Lite.

Paste this file into the main.py tab of the xlwings Lite editor and the content of
requirements.txt (beside this file) into its requirements.txt tab; after the packages have
installed, =FUNNEL_BACKSOLVE(...), =VALUE_PER_LEAD(...) and every other xl-funnel function work
in this workbook. Reference: docs/functions.md; set-up: docs/excel.md.
"""

# A star import on purpose: xlwings Lite registers every decorated function it finds in
# main.py, and xl_funnel.udfs.__all__ lists all of them, including functions added in later
# xl-funnel versions, so this file never needs editing after an upgrade.
from xl_funnel.udfs import *  # noqa: F403
