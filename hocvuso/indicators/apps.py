from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "hocvuso.indicators"
    label = "indicators"
    verbose_name = _("Chỉ tiêu và giám sát")

    def ready(self) -> None:
        # Change capture is database triggers on the registry and learning tables (see capture.py). They are
        # (re)installed after every `migrate`: on SQLite, a later migration that rebuilds one of those tables
        # drops its triggers with it.
        post_migrate.connect(_install_change_capture, sender=self, dispatch_uid="indicators-change-capture")


def _install_change_capture(using: str = "default", **kwargs: Any) -> None:
    from .capture import install_change_capture

    install_change_capture(using=using)
