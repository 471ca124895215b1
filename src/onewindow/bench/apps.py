from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    name = "onewindow.bench"
    verbose_name = _("模拟数据与性能测试")
