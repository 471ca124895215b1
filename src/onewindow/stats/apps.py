from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "onewindow.stats"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        from onewindow.clock.hooks import register_recompute
        from onewindow.core.timers import register_timer_source
        from onewindow.org.roles import Role, register_action
        from onewindow.stats.rollup import on_calendar_change

        # Leaders and supervisors see the figures of their region; the administrator all of them.
        register_action("stats.view", {Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR})
        # The worker keeps the daily rollups fresh; a calendar change makes the next refresh a rebuild.
        register_timer_source("onewindow.stats.rollup.refresh_due")
        register_recompute(on_calendar_change)
