"""Complaints and other requests (诉求): 咨询 / 求助 / 投诉 / 建议, one number per matter.

Seed 001 (绵阳 企业服务 五专): 按照咨询、求助、投诉等类别进行分类建档，一问题一编号; 简单类立即
回复，一般事项5个工作日内办结，情况复杂的最长不超过30个工作日; 回访评价，不满意的二次交办，
二次交办后仍不满意的转报纪委监委. Seed 000/002: a 吐槽找茬 window in the hall; 12345 hotline tickets.
``status`` is a cached copy: the history is the append-only ``ComplaintEvent`` log and only
``complaints.services`` assigns it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case
from onewindow.org.models import Department, Region, Staff


class ComplaintClass(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    SUGGESTION = "suggestion", _("建议")


class ComplaintChannel(models.TextChoices):
    HALL = "hall", _("大厅吐槽找茬窗口")
    ONLINE = "online", _("网上")
    HOTLINE = "hotline", _("12345政务服务热线")


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("已登记待交办")
    ASSIGNED = "assigned", _("已交办办理中")
    REPLIED = "replied", _("已答复待回访")
    CLOSED = "closed", _("已办结")
    REFERRED = "referred", _("已转报纪检监察机关")


class FollowUp(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Complaint(models.Model):
    """One matter (一问题一编号). ``department`` is None until assigned; ``due_at`` is the SLA
    deadline of the current round (set on receipt, reset by each 二次交办).
    ``contact_name``/``contact_phone`` are empty for an anonymous complainant."""

    number = models.CharField(_("诉求编号"), max_length=40, unique=True)
    klass = models.CharField(_("诉求类别"), max_length=12, choices=ComplaintClass.choices)
    channel = models.CharField(_("来源渠道"), max_length=10, choices=ComplaintChannel.choices)
    complex = models.BooleanField(
        _("情况复杂"),
        default=False,
        help_text=_("情况复杂或历史遗留问题，按复杂事项时限办理（最长30个工作日）"),
    )
    subject = models.CharField(_("主题"), max_length=200)
    text = models.TextField(_("诉求内容"), max_length=5000)
    anonymous = models.BooleanField(_("匿名"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    case = models.ForeignKey(
        Case, verbose_name=_("相关办件"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    staff = models.ForeignKey(
        Staff,
        verbose_name=_("涉及工作人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("承办部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    status = models.CharField(_("状态"), max_length=10, choices=ComplaintStatus.choices, db_index=True)
    round = models.PositiveSmallIntegerField(
        _("交办轮次"), default=0, help_text=_("1为首次交办，2为二次交办")
    )
    escalations = models.PositiveSmallIntegerField(_("逾期督办次数"), default=0)
    received_at = models.DateTimeField(_("登记时间"))
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True, db_index=True)
    due_from = models.DateTimeField(
        _("期限起算时间"),
        null=True,
        blank=True,
        help_text=_("本轮办理期限的起算时间（登记或交办时间），日历变更后据此重算期限"),
    )
    due_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        help_text=_("期限跨入尚未导入节假日安排的年份时，暂按周末计算并标明；导入后自动重算"),
    )
    overdue_at = models.DateTimeField(
        _("逾期督办时间"),
        null=True,
        blank=True,
        help_text=_("二次交办后仍逾期时由定时任务记录，提请督查；按期办理时为空"),
    )
    reply = models.TextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    follow_up = models.CharField(_("回访评价"), max_length=12, choices=FollowUp.choices, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    hotline_ticket = models.CharField(
        _("12345工单号"), max_length=40, null=True, blank=True, unique=True, help_text=_("12345导入时填写")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(contact_name="", contact_phone=""),
                name="complaint_anonymous_has_no_contact",
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="complaint_due_idx"),
            # lists (newest first) and the statistics read complaints by the period received
            models.Index(fields=["received_at"], name="complaint_received_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class ComplaintEvent(models.Model):
    """Append-only history of a complaint: one row per transition (assign, escalate, reply …)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=10, blank=True)
    to_status = models.CharField(_("新状态"), max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class ComplaintSla(models.Model):
    """The time limit per class, editable by the administrator; a class without a row uses the
    default of ``complaints.conf`` (咨询 即时, 求助 and 投诉 5 working days, 建议 30 working days).
    0 working days means "immediately": by the end of the day it was received."""

    klass = models.CharField(_("诉求类别"), max_length=12, choices=ComplaintClass.choices, unique=True)
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))

    class Meta:
        verbose_name = _("诉求办理时限")
        verbose_name_plural = _("诉求办理时限")

    def __str__(self) -> str:
        return f"{self.get_klass_display()} {self.working_days}个工作日"
