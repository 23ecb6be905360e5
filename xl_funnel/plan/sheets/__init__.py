"""One module per sheet of the plan workbook; each exposes ``build(sheet, config, layout)``."""
