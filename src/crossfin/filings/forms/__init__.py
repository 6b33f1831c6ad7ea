"""External financial assets and liabilities statistics: forms as data, rules, uploads.

Pure code, no database: the filings workflow stores a filing's content as JSON and calls
`validate` at submission; uploads come through `read_upload`.
"""

from crossfin.filings.forms.content import Content, previous_period
from crossfin.filings.forms.definition import FormDefinition, load_form, shipped_forms
from crossfin.filings.forms.issues import Issue, Report
from crossfin.filings.forms.sheets import (
    read_upload,
    write_report_csv,
    write_report_xlsx,
    write_template_xlsx,
)
from crossfin.filings.forms.validate import validate

__all__ = [
    "Content",
    "FormDefinition",
    "Issue",
    "Report",
    "load_form",
    "previous_period",
    "read_upload",
    "shipped_forms",
    "validate",
    "write_report_csv",
    "write_report_xlsx",
    "write_template_xlsx",
]
