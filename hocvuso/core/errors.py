"""Domain errors: services raise these; views and the API turn them into a clear message for the user."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


class DomainError(Exception):
    """A request the domain refuses, with a message the user can act on (translatable) and where it applies."""

    def __init__(self, message: str | Promise, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code


NOT_FOUND_MESSAGE = gettext_lazy("Không tìm thấy.")


class NotFound(DomainError):
    """The object is missing, or the user may not see it: the two are never told apart. The one "not found" of
    the domain: hocvuso.accounts.access raises it, services and selectors raise it (never Django's Http404), and
    the web (hocvuso.web.middleware.NotFoundMiddleware) and the API (hocvuso.api.errors) answer it with 404."""

    def __init__(self, message: str | Promise = NOT_FOUND_MESSAGE) -> None:
        super().__init__(message, code="not_found")
