"""Writes thousands.xlsx: ids >= 1000 in cells formatted '#,##0' (thousands separators),
as a spreadsheet of a site's exports might hold them. LibreOffice then saves the sheet
as CSV with each cell as shown (README.md in tests/data/real has the command).

    uv run python tests/data/real/libreoffice/make_thousands.py
"""

from pathlib import Path

from openpyxl import Workbook

book = Workbook()
sheet = book.active
sheet.append(["codigo", "centro", "SWLS1", "SWLS2", "SWLS3", "SWLS4", "SWLS5"])
for row in ([1050, 1, 4, 4, 4, 3, 4], [1051, 1, 3, 3, 3, 3, 2], [2100, 2, 2, 2, 3, 2, 2],
            [987, 2, 5, 4, 5, 5, 5]):
    sheet.append(row)
for cell in sheet["A"][1:]:
    cell.number_format = "#,##0"
book.save(Path(__file__).with_name("thousands.xlsx"))
