from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "onewindow.stats"
    verbose_name = _("统计分析")

    def ready(self) -> None:
        from onewindow.org.roles import Role, register_action

        # Leaders and supervisors see the figures of their region; the administrator all of them.
        register_action("stats.view", {Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR})
