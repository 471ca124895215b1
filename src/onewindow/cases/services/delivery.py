"""统一出件: the results of an application handed over together."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from onewindow.cases.models import (
    Application,
    Delivery,
    DeliveryMethod,
    TimerKind,
)
from onewindow.cases.services.core import _cancel_timer, _move_case
from onewindow.cases.services.deadlines import DECIDED_STATES
from onewindow.core.errors import ConcurrentChange, GuardFailed, InvalidInput
from onewindow.core.timeutil import now
from onewindow.org.authz import require


@transaction.atomic
def application_deliver(
    *, actor: Any, application: Application, method: str | None = None, tracking_number: str = ""
) -> Delivery:
    """统一出件: once every case is decided, hand all results over together; cases close and the
    delivery timer (行政许可法 第四十四条) stops."""
    require(actor, "case.deliver", region=application.region)
    method = method or application.delivery_method
    if method not in DeliveryMethod.values:
        raise InvalidInput(f"送达方式“{method}”无效")
    if method == DeliveryMethod.MAIL and not tracking_number.strip():
        raise InvalidInput("免费邮寄须登记邮件单号", errors={"tracking_number": ["必填"]})
    cases = list(application.cases.select_related("application__region", "step_department", "department"))
    undecided = [c.number for c in cases if c.status not in DECIDED_STATES]
    if not cases or undecided:
        raise GuardFailed(f"还有办件未办结，不能统一出件：{'、'.join(undecided) or '无办件'}")
    try:
        with transaction.atomic():
            delivery = Delivery.objects.create(
                application=application,
                method=method,
                tracking_number=tracking_number.strip(),
                delivered_at=now(),
                delivered_by=actor,
            )
    except IntegrityError:
        raise ConcurrentChange("该申请的结果已出件") from None
    for case in cases:
        case = _move_case(
            case, "deliver", actor, data={"method": method, "tracking": tracking_number.strip()}
        )
        _move_case(case, "close", actor, closed_at=now())
    _cancel_timer(TimerKind.DELIVERY_DUE, application.pk)
    return delivery
