"""Dates as the portal writes them, with the zone they are in (Django's en formats leave it out)."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i T"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i T"
TIME_FORMAT = "H:i"
# A month as the programme dashboard names it ("Dec 2026"; Django's en says "December 2026").
YEAR_MONTH_FORMAT = "M Y"
