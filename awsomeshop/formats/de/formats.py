"""Dates and numbers as German readers write them, times with their zone: "7. Dezember 2026, 14:05 CET".
Only what differs from Django's own German formats is here; numbers group by "." (Django's)."""

DATE_FORMAT = "j. F Y"
DATETIME_FORMAT = "j. F Y, H:i T"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i T"
TIME_FORMAT = "H:i"
