"""External financial assets and liabilities statistics: forms as data, rules, uploads.

Pure code, no database: the filings workflow stores a filing's content as JSON and calls
`validate` at submission. Uploads and workbooks are in `crossfin.filings.forms.sheets`,
imported on their own so that openpyxl loads only when a workbook comes.
"""

from crossfin.filings.forms.content import Content, previous_period
from crossfin.filings.forms.definition import FormDefinition, load_form, shipped_forms
from crossfin.filings.forms.issues import Issue, Report
from crossfin.filings.forms.validate import validate

__all__ = [
    "Content",
    "FormDefinition",
    "Issue",
    "Report",
    "load_form",
    "previous_period",
    "shipped_forms",
    "validate",
]
