"""Reading and writing catalogue files (docs/catalogue-format.md): YAML, JSON and Excel.

This module only converts between bytes and the plain document (dicts and lists); it knows
nothing of the database. Validation happens in ``catalog.services.catalogue_import``.

Excel: one sheet per list, one row per entry, the field names as column headers (nested fields
joined with dots, e.g. ``legal_limit.value``; Chinese header labels are accepted as aliases).
Rows of the child sheets (``steps``, ``item_materials``, ``devolutions``, ``bundle_options``,
``bundle_dependencies``) name their parent in the first column (``item`` or ``bundle``) and keep
the order of the rows. A cell holding a list (``tiers``, ``topics``, ``items``) separates its
values with commas. Each value's cell is remembered, so an error is reported with its sheet,
row and column.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import yaml

from onewindow.core import untrusted

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FORMATS = ("yaml", "json", "xlsx")
EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".xlsx": "xlsx"}
CONTENT_TYPES = {
    "yaml": "application/yaml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

VERSION_COLUMNS = [
    "legal_basis",
    "conditions",
    "legal_limit.value",
    "legal_limit.unit",
    "promised_limit.value",
    "promised_limit.unit",
    "is_instant",
    "fee",
    "fee_note",
    "online_depth",
    "max_visits",
    "needs_inspection",
    "deemed_consent_days",
    "deemed_consent_basis",
    "registration",
    "conditional_on_deficiency",
    "commitment_approval",
    "post_verification_days",
    "result.licence_type",
    "result.paper",
    "result.electronic",
]
ITEM_COLUMNS = [
    "code",
    "name",
    "short_name",
    "kind",
    "department",
    "parent",
    "tiers",
    "collect_for_higher_tier",
    "audience",
    "topics",
    "source.seed",
    "source.note",
]


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: list[str]
    parent: str | None = None  # first column naming the parent entry ("item" / "bundle")
    lists: frozenset[str] = frozenset()


SHEETS = [
    Sheet("topics", ["code", "name"]),
    Sheet("materials", ["key", "name", "description", "satisfied_by"]),
    Sheet("items", ITEM_COLUMNS + VERSION_COLUMNS, lists=frozenset({"tiers", "topics"})),
    Sheet(
        "steps",
        ["item", "kind", "department", "limit.value", "limit.unit", "deemed_consent_basis"],
        parent="item",
    ),
    Sheet(
        "item_materials",
        [
            "item",
            "material",
            "form",
            "copies",
            "required",
            "waivable",
            "supply_days",
            "commitment_allowed",
            "applies_to",
            "note",
        ],
        parent="item",
    ),
    Sheet("devolutions", ["item", "tier", "action", "date", "note"], parent="item"),
    Sheet(
        "bundles",
        [
            "code",
            "name",
            "kind",
            "topics",
            "promised_limit.value",
            "promised_limit.unit",
            "joint_handling",
            "source.seed",
            "source.note",
            "items",
        ],
        lists=frozenset({"topics", "items"}),
    ),
    Sheet("bundle_options", ["bundle", "code", "name", "items"], parent="bundle", lists=frozenset({"items"})),
    Sheet("bundle_dependencies", ["bundle", "item", "waits_for"], parent="bundle"),
]
SHEET_BY_NAME = {s.name: s for s in SHEETS}

# Chinese sheet names and header labels accepted on import.
SHEET_ALIASES = {
    "主题": "topics",
    "材料库": "materials",
    "事项": "items",
    "办理环节": "steps",
    "申请材料": "item_materials",
    "下放记录": "devolutions",
    "一件事": "bundles",
    "套餐": "bundle_options",
    "前置关系": "bundle_dependencies",
}
HEADER_ALIASES = {
    "事项编码": "code",
    "编码": "code",
    "名称": "name",
    "事项名称": "name",
    "简称": "short_name",
    "事项类型": "kind",
    "类型": "kind",
    "实施部门": "department",
    "部门": "department",
    "办理部门": "department",
    "所属主项": "parent",
    "层级": "tiers",
    "可代收代办": "collect_for_higher_tier",
    "服务对象": "audience",
    "主题": "topics",
    "来源": "source.seed",
    "来源说明": "source.note",
    "设定依据": "legal_basis",
    "受理条件": "conditions",
    "法定时限": "legal_limit.value",
    "法定时限单位": "legal_limit.unit",
    "承诺时限": "promised_limit.value",
    "承诺时限单位": "promised_limit.unit",
    "即办件": "is_instant",
    "收费标准": "fee",
    "收费说明": "fee_note",
    "网办深度": "online_depth",
    "到现场次数": "max_visits",
    "需现场核查": "needs_inspection",
    "缺席默认天数": "deemed_consent_days",
    "缺席默认（工作日）": "deemed_consent_days",
    "缺席默认依据": "deemed_consent_basis",
    "登记表单": "registration",
    "容缺可先行决定": "conditional_on_deficiency",
    "告知承诺制": "commitment_approval",
    "承诺核查期限": "post_verification_days",
    "结果证照类型": "result.licence_type",
    "纸质结果": "result.paper",
    "电子证照": "result.electronic",
    "事项": "item",
    "环节": "kind",
    "环节时限": "limit.value",
    "环节时限单位": "limit.unit",
    "材料": "material",
    "材料标识": "key",
    "材料名称": "name",
    "说明": "description",
    "免提交依据": "satisfied_by",
    "材料形式": "form",
    "份数": "copies",
    "必要": "required",
    "可容缺": "waivable",
    "容缺补交期限": "supply_days",
    "可告知承诺": "commitment_allowed",
    "适用对象": "applies_to",
    "备注": "note",
    "操作": "action",
    "日期": "date",
    "一件事": "bundle",
    "包含事项": "items",
    "联合办理": "joint_handling",
    "等待事项": "waits_for",
}


class FileError(Exception):
    """The file cannot be read at all (not YAML/JSON/Excel, or the wrong shape)."""

    def __init__(self, message: str, *, location: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.location = location


@dataclass
class Problem:
    """One error of an import, at ``path`` in the document (and, for Excel, its cell)."""

    path: str
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    @property
    def location(self) -> str:
        if not self.sheet:
            return self.path
        where = f"工作表 {self.sheet} 第{self.row}行" if self.row else f"工作表 {self.sheet}"
        return f"{where} {self.column}列" if self.column else where

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.path, "message": self.message}
        if self.sheet:
            data.update(sheet=self.sheet, row=self.row, column=self.column)
        return data


@dataclass
class CatalogueDocument:
    """A parsed file: the document, where each value came from (Excel only) and reading errors."""

    data: Any
    cells: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # path -> (sheet, row, column)
    problems: list[Problem] = field(default_factory=list)

    def locate(self, problem: Problem) -> Problem:
        """Attach the sheet, row and column of the nearest cell or row to ``problem``."""
        path = problem.path
        while path:
            if path in self.cells:
                problem.sheet, problem.row, problem.column = self.cells[path]
                return problem
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return problem


def format_of(filename: str) -> str:
    """The format named by a file's extension; raises FileError for anything else."""
    for ext, fmt in EXTENSIONS.items():
        if filename.lower().endswith(ext):
            return fmt
    raise FileError(f"不支持的文件类型：{filename}（支持 .yaml、.yml、.json、.xlsx）")


def parse(content: bytes, fmt: str) -> CatalogueDocument:
    """Parse ``content`` as ``fmt`` (yaml, json or xlsx); raises FileError if it cannot be read,
    nests deeper than ``untrusted.MAX_DEPTH`` or holds a control character (NUL and the like)."""
    document = _parse(content, fmt)
    try:
        untrusted.check_document(document.data)
    except (untrusted.ControlCharacter, untrusted.TooDeep) as exc:
        raise FileError(exc.reason, location=exc.where) from exc
    return document


def _parse(content: bytes, fmt: str) -> CatalogueDocument:
    if fmt == "xlsx":
        return read_excel(content)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(f"文件不是 UTF-8 编码的文本（第{exc.start + 1}个字节）") from exc
    if fmt == "json":
        try:
            return CatalogueDocument(json.loads(text))
        except json.JSONDecodeError as exc:
            raise FileError(f"JSON 格式错误：{exc.msg}", location=f"第{exc.lineno}行第{exc.colno}列") from exc
        except RecursionError:
            raise FileError(untrusted.TooDeep().reason) from None
    if fmt == "yaml":
        # The C loader overflows the C stack (the process dies) on a few thousand nested brackets.
        if untrusted.flow_depth(text) > untrusted.MAX_DEPTH:
            raise FileError(untrusted.TooDeep().reason)
        try:
            # libyaml's C loader when present (the PyYAML wheels ship it): about 10× faster.
            return CatalogueDocument(yaml.load(text, Loader=SAFE_LOADER))  # noqa: S506 - a safe loader
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else ""
            reason = getattr(exc, "problem", None) or str(exc)
            raise FileError(f"YAML 格式错误：{reason}", location=where) from exc
        except RecursionError:
            raise FileError(untrusted.TooDeep().reason) from None
    raise FileError(f"不支持的格式：{fmt}（支持 {'、'.join(FORMATS)}）")


def dump(data: dict[str, Any], fmt: str) -> bytes:
    """Serialise a catalogue document as ``fmt``."""
    if fmt == "yaml":
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120).encode()
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default).encode()
    if fmt == "xlsx":
        return write_excel(data)
    raise FileError(f"不支持的格式：{fmt}（支持 {'、'.join(FORMATS)}）")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot serialise {value!r}")


# ---- Excel ------------------------------------------------------------------------------------


def _cell_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _split(value: Any) -> list[str]:
    if value is None:
        return []
    return [part for part in re.split(r"[,，、;；\s]+", str(value)) if part]


def _put(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value


def read_excel(content: bytes) -> CatalogueDocument:
    """Build the document from a workbook with the sheets of ``SHEETS``."""
    # openpyxl costs ~40 MB of resident memory per process: imported only when a file is read.
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise FileError("无法读取 Excel 文件（须为 .xlsx 格式）") from exc
    doc = CatalogueDocument({})
    rows_of: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
    for ws in book.worksheets:
        name = SHEET_ALIASES.get(ws.title.strip(), ws.title.strip())
        sheet = SHEET_BY_NAME.get(name)
        if sheet is None:
            doc.problems.append(
                Problem(ws.title, f"不认识的工作表（可用：{'、'.join(SHEET_BY_NAME)}）", ws.title)
            )
            continue
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None) or ()
        headers: list[str | None] = []
        for index, raw in enumerate(header_row, start=1):
            label = _cell_value(raw)
            key = HEADER_ALIASES.get(str(label), str(label)) if label is not None else None
            if key is not None and key not in sheet.columns:
                letter = get_column_letter(index)
                doc.problems.append(
                    Problem(f"{sheet.name}.{label}", f"不认识的列“{label}”", ws.title, 1, letter)
                )
                key = None
            headers.append(key)
        if sheet.parent and sheet.parent not in headers:
            doc.problems.append(Problem(sheet.name, f"缺少“{sheet.parent}”列", ws.title, 1))
            continue
        entries = rows_of.setdefault(sheet.name, [])
        for number, values in enumerate(rows, start=2):
            entry: dict[str, Any] = {}
            letters: dict[str, str] = {}
            for index, (key, raw) in enumerate(zip(headers, values, strict=False), start=1):
                value = _cell_value(raw)
                if key is None or value is None:
                    continue
                entry[key] = _split(value) if key in sheet.lists else value
                letters[key] = get_column_letter(index)
            if entry:
                entries.append((number, entry, {**letters, "__sheet__": ws.title}))
    book.close()
    _assemble(doc, rows_of)
    return doc


def _assemble(doc: CatalogueDocument, rows_of: dict[str, list]) -> None:
    data = doc.data

    def add_entries(sheet: str, target: list, base: str, rows: list) -> None:
        for number, entry, letters in rows:
            path = f"{base}[{len(target)}]"
            obj: dict[str, Any] = {}
            for key, value in entry.items():
                _put(obj, key, value)
                doc.cells[f"{path}.{key}"] = (letters["__sheet__"], number, f"{letters[key]}（{key}）")
            doc.cells[path] = (letters["__sheet__"], number, "")
            target.append(obj)

    for top in ("topics", "materials"):
        if top in rows_of:
            add_entries(top, data.setdefault(top, []), top, rows_of[top])
    items: list[dict[str, Any]] = []
    if "items" in rows_of:
        for number, entry, letters in rows_of["items"]:
            path = f"items[{len(items)}]"
            obj: dict[str, Any] = {}
            for key, value in entry.items():
                dotted = key if key in ITEM_COLUMNS else f"version.{key}"
                _put(obj, dotted, value)
                doc.cells[f"{path}.{dotted}"] = (letters["__sheet__"], number, f"{letters[key]}（{key}）")
            doc.cells[path] = (letters["__sheet__"], number, "")
            items.append(obj)
        data["items"] = items
    bundles: list[dict[str, Any]] = []
    if "bundles" in rows_of:
        add_entries("bundles", bundles, "bundles", rows_of["bundles"])
        data["bundles"] = bundles
    children = [
        ("steps", items, "item", "version.steps"),
        ("item_materials", items, "item", "version.materials"),
        ("devolutions", items, "item", "devolutions"),
        ("bundle_options", bundles, "bundle", "options"),
        ("bundle_dependencies", bundles, "bundle", "dependencies"),
    ]
    for sheet, parents, parent_key, dotted in children:
        if sheet not in rows_of:
            continue
        top = "items" if parents is items else "bundles"
        index_of = {str(p.get("code")): i for i, p in enumerate(parents) if p.get("code") is not None}
        for number, entry, letters in rows_of[sheet]:
            owner = str(entry.pop(parent_key, ""))
            if owner not in index_of:
                doc.problems.append(
                    Problem(
                        f"{sheet}[{number}]",
                        f"“{owner}”不在工作表 {top} 中" if owner else f"须填写{parent_key}",
                        letters["__sheet__"],
                        number,
                        letters.get(parent_key, ""),
                    )
                )
                continue
            i = index_of[owner]
            container: Any = parents[i]
            *heads, last = dotted.split(".")
            for key in heads:
                container = container.setdefault(key, {})
            target = container.setdefault(last, [])
            base = f"{top}[{i}].{dotted}"
            add_entries(sheet, target, base, [(number, entry, letters)])


def _excel_cell(value: Any) -> Any:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, Decimal):
        return str(value)
    return value


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def write_excel(data: dict[str, Any]) -> bytes:
    """The document as a workbook with one sheet per list (see the module docstring)."""
    rows: dict[str, list[dict[str, Any]]] = {s.name: [] for s in SHEETS}
    rows["topics"] = list(data.get("topics") or [])
    rows["materials"] = list(data.get("materials") or [])
    for item in data.get("items") or []:
        version = dict(item.get("version") or {})
        steps, materials = version.pop("steps", []), version.pop("materials", [])
        top = {k: v for k, v in item.items() if k not in ("version", "devolutions")}
        rows["items"].append({**_flatten(top), **_flatten(version)})
        rows["steps"] += [{"item": item["code"], **_flatten(s)} for s in steps]
        rows["item_materials"] += [{"item": item["code"], **m} for m in materials]
        rows["devolutions"] += [{"item": item["code"], **d} for d in item.get("devolutions") or []]
    for bundle in data.get("bundles") or []:
        top = {k: v for k, v in bundle.items() if k not in ("options", "dependencies")}
        rows["bundles"].append(_flatten(top))
        rows["bundle_options"] += [{"bundle": bundle["code"], **o} for o in bundle.get("options") or []]
        rows["bundle_dependencies"] += [
            {"bundle": bundle["code"], **d} for d in bundle.get("dependencies") or []
        ]
    from openpyxl import Workbook  # ~40 MB: only when a workbook is written

    book = Workbook()
    book.remove(book.active)
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append(sheet.columns)
        for row in rows[sheet.name]:
            ws.append([_excel_cell(row.get(column)) for column in sheet.columns])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
