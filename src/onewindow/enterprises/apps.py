from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "onewindow.enterprises"
    verbose_name = _("市场主体登记")

    def ready(self) -> None:
        from onewindow.core.timers import register_timer_source
        from onewindow.org.roles import Role, register_action

        staff = {Role.WINDOW_OFFICER, Role.REVIEWER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR}
        register_action("enterprise.view", staff)
        # The 商务秘书企业 registry is kept by the registering authority (市场监管); its list of hosted
        # enterprises, capacity and agreement end dates are theirs and the supervisors' to see.
        register_action("hosting.view", {Role.REVIEWER, Role.LEADER, Role.SUPERVISOR, Role.ADMINISTRATOR})
        register_action("hosting.manage", {Role.REVIEWER, Role.LEADER, Role.ADMINISTRATOR})
        # A 托管协议 is recorded when the founder hands it in, at the window or by an agent.
        register_action("hosting.agreement", {Role.WINDOW_OFFICER, Role.AGENT, Role.REVIEWER, Role.LEADER})
        register_action("address_policy.manage", {Role.LEADER, Role.ADMINISTRATOR})
        register_timer_source(
            "onewindow.enterprises.services.hosting_agreements_fire_due",
            oldest_due="onewindow.enterprises.selectors.hosting_agreements_oldest_due",
            count_due="onewindow.enterprises.selectors.hosting_agreements_count_due",
        )
