from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "onewindow.accounts"
    verbose_name = _("账号与登录安全")

    def ready(self) -> None:
        from onewindow.accounts import lockout  # noqa: F401 - connects the lockout audit receiver
        from onewindow.core.throttle import create_cache_tables

        # Once per `migrate` (sent for this app): the throttle counters' cache table.
        post_migrate.connect(create_cache_tables, sender=self)
