from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VneidConfig(AppConfig):
    name = "hocvuso.vneid"
    label = "vneid"
    verbose_name = _("Đăng nhập bằng VNeID")
