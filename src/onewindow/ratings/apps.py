from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "onewindow.ratings"
    verbose_name = _("好差评与整改")

    def ready(self) -> None:
        from onewindow.clock.hooks import register_recompute
        from onewindow.core.timers import register_timer_source
        from onewindow.ratings.services import rectifications_recompute_deadlines_for_calendar

        register_timer_source(
            "onewindow.ratings.services.ratings_fire_due",
            oldest_due="onewindow.ratings.selectors.ratings_oldest_due",
            count_due="onewindow.ratings.selectors.ratings_count_due",
        )
        register_recompute(rectifications_recompute_deadlines_for_calendar)
