"""French dates: "12 septembre 2026", "12 septembre 2026 à 14:30"."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = r"j F Y \à H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
