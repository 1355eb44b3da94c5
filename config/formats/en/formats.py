"""English formats of the portal: day first, never the US month/day order (ux.md: "24 Nov 2026").

Django's own ``en`` formats are American (12/02/2026 is 2 December there); the portal's English users are in
Finland and read 12/02/2026 as 12 February. Everything not set here (numbers, times) comes from Django's en."""

DATE_FORMAT = "j M Y"  # 24 Nov 2026
DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"  # 24/11/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# ISO first: the widgets render it and <input type="date"> needs it. Then day-first forms only; a typed
# 12/02/2026 is 12 February, never 2 December.
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-11-24
    "%d/%m/%Y",  # 24/11/2026
    "%d/%m/%y",  # 24/11/26
    "%d.%m.%Y",  # 24.11.2026
    "%d %b %Y",  # 24 Nov 2026
    "%d %B %Y",  # 24 November 2026
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",  # <input type="datetime-local">
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
    "%d.%m.%Y %H:%M",
]
