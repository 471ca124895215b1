"""The ratings settings, each with its default and the reason for it (read at call time, so tests
can override them with pytest-django's ``settings`` fixture)."""

from __future__ import annotations

from django.conf import settings

# Tags a rater may pick (评价标签). Configurable per deployment: ONEWINDOW_RATINGS_TAGS.
DEFAULT_TAGS: tuple[str, ...] = (
    "一次办好",
    "办事便捷",
    "服务热情",
    "材料精简",
    "办理高效",
    "多次跑腿",
    "材料繁琐",
    "超时办理",
    "态度不好",
    "推诿扯皮",
    "收费不合理",
)


def _get(name: str, default):
    return getattr(settings, f"ONEWINDOW_RATINGS_{name}", default)


def anonymous_allowed() -> bool:
    """ONEWINDOW_RATINGS_ANONYMOUS (default True): may a rater hide their identity?"""
    return bool(_get("ANONYMOUS", True))


def window_days() -> int:
    """ONEWINDOW_RATINGS_WINDOW_DAYS (default 30 natural days after the case finishes)."""
    return int(_get("WINDOW_DAYS", 30))


def default_on_silence() -> bool:
    """ONEWINDOW_RATINGS_DEFAULT_ON_SILENCE (default False): when the window closes without a
    rating, record a default rating (``is_default``). Off by default: a default rating says nothing
    about the service, and it is always counted apart from real ones."""
    return bool(_get("DEFAULT_ON_SILENCE", False))


def default_level() -> int:
    """ONEWINDOW_RATINGS_DEFAULT_LEVEL (default 4, 满意): the level of a default rating."""
    return int(_get("DEFAULT_LEVEL", 4))


def satisfied_levels() -> frozenset[int]:
    """ONEWINDOW_RATINGS_SATISFIED_LEVELS (default 5, 4, 3): levels counted as satisfied.

    国办发〔2019〕51号 defines five levels and calls 不满意 and 非常不满意 差评 (bad ratings) that
    must be followed up; the seeds report 满意率 without saying how 基本满意 counts. So, by default,
    every level that is not a bad rating counts as satisfied (非常满意 + 满意 + 基本满意); a
    deployment that counts only 非常满意 and 满意 sets this to (5, 4).
    """
    return frozenset(int(x) for x in _get("SATISFIED_LEVELS", (5, 4, 3)))


def tags() -> tuple[str, ...]:
    return tuple(_get("TAGS", DEFAULT_TAGS))


def contact_within_days() -> int:
    """ONEWINDOW_RATINGS_CONTACT_DAYS (default 1 working day): follow-up contact (回访) of a bad rating."""
    return int(_get("CONTACT_DAYS", 1))


def rectify_within_days() -> int:
    """ONEWINDOW_RATINGS_RECTIFY_DAYS (default 15 working days): rectification (整改) of a bad rating."""
    return int(_get("RECTIFY_DAYS", 15))


def ranking_alert_consecutive() -> int:
    """ONEWINDOW_RANKING_ALERT_CONSECUTIVE (default 2): consecutive 差 grades that raise an alert
    (seed 001 巴中: 连续2次评为“差”等次 → 诫勉谈话，黄牌警示)."""
    return int(getattr(settings, "ONEWINDOW_RANKING_ALERT_CONSECUTIVE", 2))
