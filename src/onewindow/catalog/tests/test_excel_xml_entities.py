"""An uploaded workbook is XML: entity declarations (billion laughs, external entities) must not be
expanded. openpyxl parses through defusedxml whenever it is installed (issue 17)."""

import io
import zipfile

import openpyxl.xml
import pytest
from openpyxl import Workbook

from onewindow.catalog.fileformat import FileError, read_excel

ENTITIES = '<!DOCTYPE worksheet [<!ENTITY a "AAAAAAAAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'


def workbook_with_an_entity() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "topics"
    sheet.append(["code", "name"])
    sheet.append(["X1", "placeholder"])
    plain = io.BytesIO()
    book.save(plain)
    source, out = zipfile.ZipFile(plain), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = (ENTITIES + data.decode().replace("placeholder", "&b;")).encode()
            target.writestr(name, data)
    return out.getvalue()


def test_openpyxl_parses_through_defusedxml():
    assert openpyxl.xml.DEFUSEDXML


def test_a_workbook_declaring_entities_is_refused_not_expanded():
    with pytest.raises(FileError, match="无法读取 Excel 文件"):
        read_excel(workbook_with_an_entity())
