from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _calendar_saved_or_deleted(**kwargs: Any) -> None:
    # A calendar added, edited or removed outside the clock services (the admin, a shell) must
    # not leave this process choosing from its cached list of calendars (clock.selectors).
    from django.db import transaction

    from onewindow.clock.selectors import forget_cached_calendars

    forget_cached_calendars()
    transaction.on_commit(forget_cached_calendars)  # and what was read before the commit


class ClockConfig(AppConfig):
    name = "onewindow.clock"
    verbose_name = _("办理时限")

    def ready(self) -> None:
        from onewindow.clock.models import Calendar

        post_save.connect(_calendar_saved_or_deleted, sender=Calendar, dispatch_uid="clock.calendar_saved")
        post_delete.connect(
            _calendar_saved_or_deleted, sender=Calendar, dispatch_uid="clock.calendar_deleted"
        )
