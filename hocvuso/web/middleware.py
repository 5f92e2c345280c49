"""Middleware of the pages: the page language (Vietnamese unless the visitor chose another one with the language
switch), the Content-Security-Policy of every response, and the one translation of the domain's NotFound into a
404."""

from collections.abc import Callable

from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from hocvuso.core.errors import NotFound
from hocvuso.vneid.provider import form_action_origins


class LanguageMiddleware(LocaleMiddleware):
    """Pages are in Vietnamese first: only the language switch (its cookie) changes that, not the browser's
    Accept-Language, so an officer whose phone is set to English sees the same words as colleagues and
    training material. The API (/api/) keeps Django's negotiation with Accept-Language."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        try:
            language = translation.get_supported_language_variant(chosen) if chosen else settings.LANGUAGE_CODE
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# Every response carries this policy: scripts, styles, images, fonts and connections only from this site; no
# inline script or style (templates keep theirs in static files); no plugins, no <base>, no framing, forms post
# only here. Browsers report violations to CSP_REPORT_PATH with report-uri: at once, by every browser (a report-to
# directive would make Chromium ignore report-uri and send its reports in batches, a minute later).
CSP_REPORT_PATH = "/csp-report/"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        f"report-uri {CSP_REPORT_PATH}",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Sets the Content-Security-Policy on every response that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            origins = form_action_origins()
            policy = CONTENT_SECURITY_POLICY
            if origins:
                # Signing in and out with VNeID: the sign-in button's and the sign-out form's POST is answered
                # with a redirect to the identity provider, which form-action governs too (Chromium checks it).
                policy = policy.replace("form-action 'self'", " ".join(["form-action 'self'", *origins]))
            response["Content-Security-Policy"] = policy
        return response


class NotFoundMiddleware:
    """Answers a page whose view raised the domain's NotFound (something missing, or not the user's: the two are
    never told apart) with the 404 page, so that no view translates it itself. The API answers it in its own
    exception handler (hocvuso/api/errors.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return response_for_exception(request, Http404())
        return None
