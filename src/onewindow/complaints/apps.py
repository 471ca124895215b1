from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "onewindow.complaints"
    verbose_name = _("诉求与投诉")

    def ready(self) -> None:
        from onewindow.core.timers import register_timer_source

        register_timer_source("onewindow.complaints.services.complaints_fire_due")
