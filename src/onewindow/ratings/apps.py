from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "onewindow.ratings"
    verbose_name = _("好差评与整改")

    def ready(self) -> None:
        from onewindow.core.timers import register_timer_source

        register_timer_source("onewindow.ratings.services.ratings_fire_due")
