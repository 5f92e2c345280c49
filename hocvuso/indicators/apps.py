from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    """Change capture is database triggers installed by migrations (capture.py, migration 0003): nothing here
    runs after `migrate`, so a database has them exactly when its schema is current."""

    name = "hocvuso.indicators"
    label = "indicators"
    verbose_name = _("Chỉ tiêu và giám sát")
