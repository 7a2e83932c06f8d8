"""Messages of the libraries that the shop words itself in German: DRF's German catalog says "du"
(the shop says "Sie"). Marked here so `make messages` keeps them in our catalog, which Django reads
before the libraries' (LOCALE_PATHS). tests/test_translations.py fails when one is missed."""

from django.utils.translation import gettext_noop

DRF_FIELD_ERRORS = [
    gettext_noop("Ensure that there are no more than {max_decimal_places} decimal places."),
    gettext_noop("Ensure that there are no more than {max_digits} digits in total."),
    gettext_noop("Ensure that there are no more than {max_whole_digits} digits before the decimal point."),
    gettext_noop("Ensure this field has at least {min_length} characters."),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop("Ensure this filename has at most {max_length} characters (it has {length})."),
    gettext_noop("Ensure this value is greater than or equal to {min_value}."),
    gettext_noop("Ensure this value is less than or equal to {max_value}."),
    gettext_noop('Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'),
    gettext_noop('Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Upload a valid image. The file you uploaded was either not an image or a corrupted image."),
]
