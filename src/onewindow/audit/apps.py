from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "onewindow.audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from onewindow.core.timers import register_timer_source

        # The worker signs the chain heads periodically (issue 17: rollback detection).
        register_timer_source(
            "onewindow.audit.services.audit_checkpoints_fire_due",
            oldest_due="onewindow.audit.selectors.audit_checkpoint_oldest_due",
            count_due="onewindow.audit.selectors.audit_checkpoints_count_due",
        )
