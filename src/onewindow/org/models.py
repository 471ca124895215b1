"""Organisation: regions, departments, halls and windows, staff with scoped roles, applicants."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.org import idcodes
from onewindow.org.roles import ROLE_LABELS, Role
from onewindow.org.validators import validate_phone, validate_region_code, validate_resident_id, validate_uscc


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县（区）")
    TOWN = "town", _("乡镇（街道）")
    VILLAGE = "village", _("村（社区）")


# How many leading digits of the 12-digit code identify a region of each level.
PREFIX_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWN: 9,
    RegionLevel.VILLAGE: 12,
}


class Region(models.Model):
    """An administrative division, identified by its 12-digit statistical division code
    (统计用区划代码: 2 province, 2 city, 2 county, 3 town, 3 village digits)."""

    code = models.CharField(
        _("区划代码"),
        max_length=12,
        unique=True,
        validators=[validate_region_code],
        help_text=_("国家统计局统计用区划代码，12位，如 430702000000（常德市武陵区）"),
    )
    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("省级区划为空"),
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        """The significant leading digits: every region below this one starts with them."""
        return self.code[: PREFIX_LENGTH[RegionLevel(self.level)]]

    def contains(self, other: Region) -> bool:
        """True if ``other`` is this region or lies inside it."""
        return other.code.startswith(self.prefix)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        try:
            parsed = idcodes.parse_region_code(self.code)
        except idcodes.InvalidCode:
            return  # the field validator reports it
        if self.level and parsed.level != self.level:
            errors["level"] = _("区划代码 %(code)s 表示“%(expected)s”级，与所选层级不符") % {
                "code": self.code,
                "expected": RegionLevel(parsed.level).label,
            }
        if self.parent_id is None and parsed.level != RegionLevel.PROVINCE:
            errors["parent"] = _("除省级外，区划必须有上级区划")
        elif self.parent is not None and not self.code.startswith(self.parent.prefix):
            errors["parent"] = _("区划代码 %(code)s 不在上级区划 %(parent)s（%(pcode)s）之内") % {
                "code": self.code,
                "parent": self.parent.name,
                "pcode": self.parent.code,
            }
        if errors:
            raise ValidationError(errors)


class Department(models.Model):
    """A government department (or office) that handles cases behind the window."""

    code = models.CharField(_("部门编码"), max_length=32, help_text=_("在本区划内唯一，如 SCJG（市场监管）"))
    name = models.CharField(_("部门全称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30)
    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("内设机构或派出机构填写其所属部门，如不动产登记中心属自然资源局"),
    )
    phone = models.CharField(_("咨询电话"), max_length=30, blank=True, validators=[validate_phone])
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["region__code", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="department_region_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class HallKind(models.TextChoices):
    COUNTY_CENTRE = "county", _("政务服务中心")
    TOWN_CENTRE = "town", _("便民服务中心")
    VILLAGE_STATION = "village", _("便民服务站（代办点）")


class Hall(models.Model):
    """A place where applicants are served: the county hall, a town centre or a village station."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=HallKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="halls"
    )
    operator = models.ForeignKey(
        Department,
        verbose_name=_("运行管理部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("如行政审批服务局"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=30, blank=True, validators=[validate_phone])
    opening_hours = models.CharField(
        _("办公时间"),
        max_length=200,
        blank=True,
        help_text=_("对外公布的文字，如“周一至周五 9:00-12:00，13:30-17:30”"),
    )

    class Meta:
        verbose_name = _("服务大厅")
        verbose_name_plural = _("服务大厅")
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return self.name


class WindowKind(models.TextChoices):
    GENERAL = "general", _("综合受理")
    ENTERPRISE = "enterprise", _("企业开办")
    CONSTRUCTION = "construction", _("工程建设")
    REAL_ESTATE = "real_estate", _("不动产登记")
    SOCIAL = "social", _("社会事务")
    DELIVERY = "delivery", _("统一出件")
    COMPLAINT = "complaint", _("吐槽找茬")
    AGENCY = "agency", _("帮办代办")


class ServiceWindow(models.Model):
    """A numbered window in a hall, and the departments whose matters it accepts."""

    hall = models.ForeignKey(Hall, verbose_name=_("大厅"), on_delete=models.CASCADE, related_name="windows")
    number = models.CharField(_("窗口号"), max_length=10)
    name = models.CharField(_("窗口名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=WindowKind.choices)
    departments = models.ManyToManyField(
        Department, verbose_name=_("受理部门事项"), blank=True, help_text=_("本窗口代为受理哪些部门的事项")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        ordering = ["hall", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="window_hall_number_unique")]

    def __str__(self) -> str:
        return f"{self.number}号窗口 {self.name}"


class Staff(models.Model):
    """A user who works in the service system. What they may do comes from their role
    assignments, each scoped to a department and/or a region."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("登录账号"), on_delete=models.CASCADE, related_name="staff"
    )
    name = models.CharField(_("姓名"), max_length=50)
    employee_no = models.CharField(_("工号"), max_length=30, unique=True)
    department = models.ForeignKey(
        Department, verbose_name=_("所在部门"), null=True, blank=True, on_delete=models.PROTECT
    )
    window = models.ForeignKey(
        ServiceWindow,
        verbose_name=_("所在窗口"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("窗口人员所坐窗口；后台人员为空"),
    )
    phone = models.CharField(_("电话"), max_length=30, blank=True, validators=[validate_phone])

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        ordering = ["employee_no"]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """One role of one staff member, within a scope.

    Scope: a department (objects of that department or its sub-departments), a region (objects
    in that region or below it), both (that department's objects within that region), or
    neither (the whole deployment, e.g. the system administrator).
    """

    staff = models.ForeignKey(
        Staff, verbose_name=_("工作人员"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("角色"), max_length=20, choices=[(r.value, ROLE_LABELS[r]) for r in Role])
    department = models.ForeignKey(
        Department, verbose_name=_("部门范围"), null=True, blank=True, on_delete=models.CASCADE
    )
    region = models.ForeignKey(
        Region, verbose_name=_("区划范围"), null=True, blank=True, on_delete=models.CASCADE
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "role", "department", "region"], name="role_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        scope = " / ".join(str(s) for s in (self.department, self.region) if s is not None) or _("全部")
        return f"{self.staff} · {Role(self.role).label} · {scope}"


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTITY = "entity", _("法人或其他组织")


class Applicant(models.Model):
    """A natural person (GB 11643 identity number) or an entity (GB 32100 credit code)."""

    kind = models.CharField(_("申请人类型"), max_length=10, choices=ApplicantKind.choices)
    name = models.CharField(_("姓名或名称"), max_length=200)
    id_number = models.CharField(
        _("证件号码"),
        max_length=18,
        unique=True,
        help_text=_("自然人填写18位公民身份号码；法人或其他组织填写18位统一社会信用代码"),
    )
    legal_representative = models.CharField(
        _("法定代表人"), max_length=50, blank=True, help_text=_("仅法人或其他组织填写")
    )
    phone = models.CharField(_("联系电话"), max_length=30, validators=[validate_phone])
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所在区划"), null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ApplicantKind.ENTITY) | Q(legal_representative=""),
                name="applicant_person_has_no_legal_representative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        """The identity number as shown in lists and exports (DESIGN.md §4: masked)."""
        if self.kind == ApplicantKind.PERSON:
            return idcodes.mask_resident_id(self.id_number)
        return idcodes.mask_uscc(self.id_number)

    def clean(self) -> None:
        self.id_number = (self.id_number or "").strip().upper()
        try:
            if self.kind == ApplicantKind.PERSON:
                validate_resident_id(self.id_number)
            elif self.kind == ApplicantKind.ENTITY:
                validate_uscc(self.id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from exc
        if self.kind == ApplicantKind.PERSON and self.legal_representative:
            raise ValidationError({"legal_representative": _("自然人申请人不填写法定代表人")})
        if self.kind == ApplicantKind.ENTITY and not self.legal_representative:
            raise ValidationError({"legal_representative": _("法人或其他组织须填写法定代表人")})
