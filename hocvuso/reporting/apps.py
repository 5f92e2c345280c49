from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Báo cáo — quarterly reports, deadlines, review, consolidation, official documents and plan tasks."""

    name = "hocvuso.reporting"
    label = "reporting"
    verbose_name = _("Báo cáo và theo dõi kế hoạch")
    default_auto_field = "django.db.models.BigAutoField"
