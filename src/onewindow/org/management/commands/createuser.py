"""``onewindow createuser``: create a staff login with one scoped role."""

from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from onewindow.core.errors import DomainError
from onewindow.org.models import Department, Region
from onewindow.org.roles import Role
from onewindow.org.services import RoleSpec, staff_create


class Command(BaseCommand):
    help = "Create a staff user with a role scoped to a department and/or region."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="full name (姓名)")
        parser.add_argument("--employee-no", required=True, help="employee number (工号)")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--department", help="department code, e.g. SCJG")
        parser.add_argument("--region", help="12-digit region code, e.g. 430702000000")
        parser.add_argument("--superuser", action="store_true")
        parser.add_argument("--password", help="password (asked for when omitted)")

    def handle(self, *args: Any, **options: Any) -> None:
        department = region = None
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                raise CommandError(f"region {options['region']} does not exist")
        if options["department"]:
            departments = Department.objects.filter(code=options["department"])
            if region is not None:
                departments = departments.filter(region__code__startswith=region.prefix)
            if departments.count() != 1:
                raise CommandError(
                    f"department code {options['department']} matches {departments.count()} departments; "
                    "give --region to choose one"
                )
            department = departments.get()
        password = options["password"] or getpass.getpass("Password: ")
        if not password:
            raise CommandError("a password is required")
        try:
            staff = staff_create(
                actor=None,
                username=options["username"],
                name=options["name"],
                employee_no=options["employee_no"],
                password=password,
                roles=[RoleSpec(role=Role(options["role"]), department=department, region=region)],
                department=department,
                is_superuser=options["superuser"],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"created {staff.user.username} ({staff.name}) as {Role(options['role']).label}")
