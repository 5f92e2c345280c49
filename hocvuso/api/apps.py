"""The HTTP API (/api/v1/, OpenAPI): thin handlers over services and selectors; domain code never imports it."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hocvuso.api"
    label = "api"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the OpenAPI description of token authentication)
