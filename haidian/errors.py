"""Business errors that services raise and the API turns into HTTP answers."""


class ActionConflict(Exception):
    """The action is not allowed in the object's current state (HTTP 409)."""


class ActionForbidden(Exception):
    """The user can see the object but their role may not do this (HTTP 403)."""


class InvalidInput(ValueError):
    """Input a serializer could not judge alone (HTTP 400). `errors` maps field → messages."""

    def __init__(self, errors: dict[str, list[str] | str]):
        self.errors = {key: value if isinstance(value, list) else [value] for key, value in errors.items()}
        super().__init__("; ".join(f"{key}: {' '.join(map(str, value))}" for key, value in self.errors.items()))
