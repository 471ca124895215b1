from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "onewindow.core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.core import checks

        from onewindow.core.timers import register_timer_source
        from onewindow.core.uploads import check_clamd_setting

        checks.register(check_clamd_setting)
        # Orphaned uploads (their transaction rolled back) are deleted by the worker, hourly.
        register_timer_source("onewindow.core.uploads.uploads_cleanup_due")
