from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClockConfig(AppConfig):
    name = "onewindow.clock"
    verbose_name = _("办理时限")
