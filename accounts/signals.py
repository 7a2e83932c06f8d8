"""What accounts tells the apps above it, which it may not import: sent inside the change's
transaction, so what a receiver writes commits with it or not at all."""

from django.dispatch import Signal

# A directory user's dates, as the user pool holds them (COGNITO_HIRE_DATE_ATTRIBUTE,
# COGNITO_BIRTHDATE_ATTRIBUTE): `user_id`, `hire_date` and `birthdate` (text, "" when unset).
# Recognition records them as milestone dates.
directory_dates_seen = Signal()
