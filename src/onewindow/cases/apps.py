from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    verbose_name = _("申请与办件")

    def ready(self) -> None:
        from onewindow.cases.services import case_recompute_deadlines_for_calendar
        from onewindow.clock.hooks import register_recompute
        from onewindow.core.timers import register_timer_source

        register_recompute(case_recompute_deadlines_for_calendar)
        register_timer_source(
            "onewindow.cases.services.timers_fire_due",
            oldest_due="onewindow.cases.selectors.timers_oldest_due",
            count_due="onewindow.cases.selectors.timers_count_due",
        )
