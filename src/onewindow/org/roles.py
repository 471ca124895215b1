"""Roles and the actions each may take (pure Python; DESIGN.md §1).

Later apps register their actions here, so the table of who may do what is in one place
and ``org.authz.can`` is the only check anyone calls.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    WINDOW_OFFICER = "window_officer"  # 综合窗口受理人员
    REVIEWER = "reviewer"  # 后台审批人员
    LEADER = "leader"  # 分管领导 / 负责人
    AGENT = "agent"  # 帮办代办员 / 村代办员
    SUPERVISOR = "supervisor"  # 效能督查 / 监督员
    ADMINISTRATOR = "administrator"  # 系统管理员
    GOVERNMENT_LEADER = "government_leader"  # 本级人民政府负责人

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.WINDOW_OFFICER: "综合窗口受理人员",
    Role.REVIEWER: "后台审批人员",
    Role.LEADER: "分管领导",
    Role.AGENT: "帮办代办员",
    Role.SUPERVISOR: "效能督查员",
    Role.ADMINISTRATOR: "系统管理员",
    Role.GOVERNMENT_LEADER: "本级人民政府负责人",
}

R = Role
# action -> roles that may perform it, within the scope of their role assignment.
ACTIONS: dict[str, frozenset[Role]] = {
    # org
    "org.manage": frozenset({R.ADMINISTRATOR}),
    "applicant.register": frozenset({R.WINDOW_OFFICER, R.AGENT, R.ADMINISTRATOR}),
    "applicant.view": frozenset(
        {R.WINDOW_OFFICER, R.AGENT, R.REVIEWER, R.LEADER, R.SUPERVISOR, R.ADMINISTRATOR}
    ),
    # catalogue and calendar
    "catalog.manage": frozenset({R.ADMINISTRATOR}),
    "calendar.manage": frozenset({R.ADMINISTRATOR}),
    # applications and cases (DESIGN.md §5)
    "application.submit_on_behalf": frozenset({R.WINDOW_OFFICER, R.AGENT}),
    "application.accept": frozenset({R.WINDOW_OFFICER}),
    "application.request_correction": frozenset({R.WINDOW_OFFICER}),
    "application.refuse": frozenset({R.WINDOW_OFFICER, R.LEADER}),
    "case.view": frozenset({R.WINDOW_OFFICER, R.REVIEWER, R.LEADER, R.SUPERVISOR, R.ADMINISTRATOR}),
    "case.review": frozenset({R.REVIEWER, R.LEADER}),
    "case.inspect": frozenset({R.REVIEWER}),
    "case.opinion": frozenset({R.REVIEWER, R.LEADER}),
    "case.decide": frozenset({R.REVIEWER, R.LEADER}),
    "case.suspend": frozenset({R.REVIEWER, R.LEADER}),
    "case.approve_extension": frozenset({R.LEADER}),
    "case.deliver": frozenset({R.WINDOW_OFFICER}),
    # 行政许可法 第四十二条第二款: the joint limit is extended with the approval of the 本级人民政府负责人;
    # the window that coordinates the joint handling asks for it.
    "application.request_joint_extension": frozenset({R.WINDOW_OFFICER}),
    "application.approve_joint_extension": frozenset({R.GOVERNMENT_LEADER}),
    "credit.repair": frozenset({R.SUPERVISOR, R.ADMINISTRATOR}),
    # supervision, ratings, complaints
    "supervision.view": frozenset({R.SUPERVISOR, R.LEADER, R.ADMINISTRATOR, R.GOVERNMENT_LEADER}),
    "rating.rectify": frozenset({R.SUPERVISOR, R.LEADER, R.REVIEWER, R.WINDOW_OFFICER}),
    "rating.verify_rectification": frozenset({R.SUPERVISOR}),
    "complaint.handle": frozenset({R.SUPERVISOR, R.REVIEWER, R.LEADER}),
    "rating.submit_on_behalf": frozenset({R.WINDOW_OFFICER, R.AGENT}),
    "rating.view": frozenset({R.SUPERVISOR, R.LEADER, R.REVIEWER, R.ADMINISTRATOR}),
    "ranking.manage": frozenset({R.SUPERVISOR, R.ADMINISTRATOR}),
    "complaint.register": frozenset({R.WINDOW_OFFICER, R.SUPERVISOR}),
    "complaint.assign": frozenset({R.SUPERVISOR}),
    "complaint.import": frozenset({R.SUPERVISOR, R.ADMINISTRATOR}),
    "audit.view": frozenset({R.SUPERVISOR, R.ADMINISTRATOR}),
}


def register_action(action: str, roles: set[Role] | frozenset[Role]) -> None:
    """Add an action for a later app; re-registering with other roles is a programming error."""
    roles = frozenset(roles)
    existing = ACTIONS.get(action)
    if existing is not None and existing != roles:
        raise ValueError(f"action {action!r} is already registered with roles {sorted(existing)}")
    ACTIONS[action] = roles
