"""Password rules beyond Django's own validators (身份鉴别: 口令应具有复杂度要求)."""

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

# The kinds of characters a password mixes: lower-case letters, upper-case letters, digits, the rest.
_CLASSES = (str.islower, str.isupper, str.isdigit, lambda char: not char.isalnum())


class CharacterClassesValidator:
    """At least `min_classes` of the four kinds of characters: lower-case letters, upper-case letters,
    digits and symbols. `haidian2013` (letters and digits) is refused with the default of three."""

    def __init__(self, min_classes: int = 3):
        if not 1 <= min_classes <= len(_CLASSES):
            raise ValueError(f"min_classes must be between 1 and {len(_CLASSES)}, not {min_classes}")
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        used = sum(any(kind(char) for char in password) for kind in _CLASSES)
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must mix at least %(min_classes)d kind of characters: lower-case letters, "
            "upper-case letters, digits and symbols.",
            "Your password must mix at least %(min_classes)d kinds of characters: lower-case letters, "
            "upper-case letters, digits and symbols.",
            self.min_classes,
        ) % {"min_classes": self.min_classes}
