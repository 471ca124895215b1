from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "onewindow.complaints"
    verbose_name = _("诉求与投诉")

    def ready(self) -> None:
        from onewindow.clock.hooks import register_recompute
        from onewindow.complaints.services import complaints_recompute_deadlines_for_calendar
        from onewindow.core.timers import register_timer_source

        register_timer_source(
            "onewindow.complaints.services.complaints_fire_due",
            oldest_due="onewindow.complaints.selectors.complaints_oldest_due",
            count_due="onewindow.complaints.selectors.complaints_count_due",
        )
        register_recompute(complaints_recompute_deadlines_for_calendar)
