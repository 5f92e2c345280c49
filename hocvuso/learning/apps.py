from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "hocvuso.learning"
    label = "learning"
    verbose_name = _("Học tập")

    def ready(self) -> None:
        from .content_cache import connect_receivers

        connect_receivers()
