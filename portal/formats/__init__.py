"""The portal's date formats, one module per language (settings.FORMAT_MODULE_PATH).

This is the one place the date style lives: "12 September 2026", "12 septembre 2026",
"12 de septiembre de 2026". Emails, pages and digests format dates through
`portal.dates` (and its template filters in `portal_dates`), which read these formats;
`{{ value|date:"DATE_FORMAT" }}` gives the same text. Only the names defined here differ
from Django's own locale formats.
"""
