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


def http_status(exc: Exception) -> int:
    """The answer a page gives for a service's refusal: 403 wrong person, 409 wrong moment, 400 bad input."""
    if isinstance(exc, ActionForbidden):
        return 403
    return 409 if isinstance(exc, ActionConflict) else 400


def reason(exc: Exception) -> str:
    """A service's refusal in one line, for a message on a page without a form: the field errors of bad
    input joined, any other refusal's own text."""
    if isinstance(exc, InvalidInput):
        return "; ".join(str(message) for messages in exc.errors.values() for message in messages)
    return str(exc)


def put_on_form(form, exc: Exception) -> None:
    """A service's refusal on a page's form: field errors next to the fields of the same name (else on
    top), any other refusal's reason on top."""
    if isinstance(exc, InvalidInput):
        for field, errors in exc.errors.items():
            form.add_error(field if field in form.fields else None, [str(e) for e in errors])
    else:
        form.add_error(None, str(exc))
