"""Domain errors: services raise these; views and the API turn them into a clear message for the user."""

from django.utils.functional import Promise


class DomainError(Exception):
    """A request the domain refuses, with a message the user can act on (translatable) and where it applies."""

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code


class NotFound(DomainError):
    """The object is missing, or the user may not see it: the two are never told apart."""

    def __init__(self, message: str | Promise = "Not found.") -> None:
        super().__init__(message, code="not_found")
