"""The append-only audit log.

Every state change in OneWindow appends one ``AuditEvent`` in the same transaction as the
change (STYLE.md §4, zulip's ``do_*`` actions). Rows form hash chains: each row stores the
SHA-256 of its own content together with the hash of the row before it in its chain, so an
edited or deleted row breaks the chain and ``onewindow audit verify`` names it.

Writers serialise per chain by locking the chain's head row; spreading objects over a few
chains (``ONEWINDOW_AUDIT_CHAINS``) keeps unrelated transactions from queueing behind one lock.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete audit rows through the ORM."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("审计日志只能追加，不能修改")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("审计日志只能追加，不能删除")


class AuditChain(models.Model):
    """The head of one hash chain: the last sequence number and hash appended to it."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("审计哈希链")
        verbose_name_plural = _("审计哈希链")

    def __str__(self) -> str:
        return f"chain {self.id} @ {self.last_seq}"


class AuditEvent(models.Model):
    """One recorded action. Never updated, never deleted."""

    chain = models.PositiveSmallIntegerField(_("哈希链"))
    seq = models.BigIntegerField(_("链内序号"))
    created_at = models.DateTimeField(_("时间"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        # Deleting a user must not rewrite (and so break) the audit chain: no constraint, no cascade.
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text=_("为空表示系统（定时任务、命令行）操作"),
    )
    actor_label = models.CharField(_("操作人名称"), max_length=150, help_text=_("记录时的用户名快照"))
    action = models.CharField(_("动作"), max_length=100, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq_unique")]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_event_object_idx")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("审计日志只能追加，不能删除")


class AuditCheckpoint(models.Model):
    """Every chain's head at one moment, signed with the audit key (``audit.anchoring``).

    Append-only like the log. Each checkpoint names the digest of the one before (``prev``), so a
    deleted checkpoint breaks their chain; an exported checkpoint kept elsewhere also catches the
    deletion of the newest rows together with a rolled-back head, which the hash chains alone
    cannot (``onewindow audit verify --checkpoint FILE``).
    """

    created_at = models.DateTimeField(_("时间"), db_index=True)
    heads = models.JSONField(_("各链头"), help_text=_('{"链号": {"seq": 序号, "hash": 哈希}}'))
    prev = models.CharField(
        _("前一检查点摘要"), max_length=64, unique=True, help_text=_("第一个检查点为64个0；唯一，防止分叉")
    )
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    key_id = models.CharField(_("签名密钥"), max_length=32)
    public_key = models.CharField(_("公钥"), max_length=64)
    signature = models.CharField(_("签名"), max_length=100)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计检查点")
        verbose_name_plural = _("审计检查点")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"checkpoint #{self.pk} {self.created_at:%Y-%m-%d %H:%M:%S} {self.digest[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("审计检查点只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("审计检查点只能追加，不能删除")
