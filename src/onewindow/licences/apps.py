from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicencesConfig(AppConfig):
    name = "onewindow.licences"
    verbose_name = _("电子证照")

    def ready(self) -> None:
        from onewindow.clock.hooks import register_recompute
        from onewindow.core.timers import register_timer_source
        from onewindow.licences.services import verification_requests_recompute_for_calendar
        from onewindow.org.roles import Role, register_action

        staff = {Role.WINDOW_OFFICER, Role.REVIEWER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR}
        register_action("licence.view", staff)
        register_action("licence.issue", {Role.REVIEWER, Role.LEADER})
        # Suspending and revoking a licence is a decision of the issuing department's leader.
        register_action("licence.revoke", {Role.LEADER, Role.ADMINISTRATOR})
        register_action("verification.request", {Role.WINDOW_OFFICER, Role.REVIEWER, Role.LEADER})
        register_action("verification.answer", {Role.REVIEWER, Role.LEADER})
        register_timer_source(
            "onewindow.licences.services.licences_fire_due",
            oldest_due="onewindow.licences.selectors.licences_oldest_due",
            count_due="onewindow.licences.selectors.licences_count_due",
        )
        register_recompute(verification_requests_recompute_for_calendar)
