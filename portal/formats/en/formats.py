"""English dates the way the portal's readers (WTO, OECD, ITC) write them: day month year,
24-hour clock. Django's defaults are American ("Sept. 12, 2026, 2:30 p.m.")."""

DATE_FORMAT = "j F Y"  # 12 September 2026
DATETIME_FORMAT = "j F Y, H:i"  # 12 September 2026, 14:30
MONTH_DAY_FORMAT = "j F"  # 12 September
YEAR_MONTH_FORMAT = "F Y"  # September 2026
