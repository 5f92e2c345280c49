"""Finding the header row of a roster table: which columns the table has, where, and as it writes them.

Tables as offices make them: title rows above the header ("DANH SÁCH NHÂN KHẨU THÔN 1…"), a two-level header
(a group cell such as "Họ và tên" over "Họ" | "Tên", or "Nơi cư trú" over "Mã thôn" | "Địa chỉ"), a row of
column numbers under it ("(1) (2) (3)…"), split name columns. The search reads at most HEADER_SEARCH_ROWS
rows; the rows read past the header come back through `Header.rest` so nothing is lost.
"""

import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError
from hocvuso.core.text import fold_diacritics

from ..import_models import ImportKind
from .cells import plain
from .columns import COLUMNS, NAME_PARTS, Column, column_by_key, duplicate_headers, match_header
from .readers import HEADER_SEARCH_ROWS, Row

_COLUMN_NUMBER = re.compile(r"^\(?(?:\d{1,2}|[A-Za-z])\)?$")


@dataclass
class Header:
    """The header of one table: its row number, the column positions and header texts by key, the width of
    the header row, and the rows still to read (those after the header)."""

    row: int
    positions: dict[str, int]
    headers: dict[str, str]
    width: int
    rest: Iterator[tuple[int, Row]]


def _combined(upper: Sequence[object], lower: Sequence[object], kind: str) -> list[object]:
    """A two-level header as one row: under a group cell, the lower cell names the column when it is a known
    one; elsewhere the upper cell does."""
    lower_positions = match_header(kind, lower)
    width = max(len(upper), len(lower))
    cells: list[object] = []
    for index in range(width):
        lower_cell = lower[index] if index < len(lower) else None
        upper_cell = upper[index] if index < len(upper) else None
        cells.append(lower_cell if index in lower_positions.values() else upper_cell)
    return cells


def _is_sub_header(kind: str, upper: Sequence[object], lower: Sequence[object]) -> bool:
    """True when `lower` reads as the second level of a header under `upper` rather than as a first data row:
    it holds no ID-like number, and names two columns or names one under an empty (merged) upper cell."""
    if any(len(plain(cell)) >= 9 and plain(cell).isdigit() for cell in lower):
        return False
    matches = match_header(kind, lower)
    under_group = any(index >= len(upper) or not plain(upper[index]) for index in matches.values())
    return len(matches) >= 2 or (len(matches) == 1 and under_group)


def _birth_date_by_sex(positions: dict[str, int], lower: Sequence[object]) -> int | None:
    """The position of the women's birth-date column when the row under the header splits "Ngày sinh" into
    "Nam" | "Nữ", else None."""
    birth = positions.get("birth_date")
    if birth is None or birth + 1 >= len(lower):
        return None
    male, female = fold_diacritics(plain(lower[birth])), fold_diacritics(plain(lower[birth + 1]))
    return birth + 1 if (male, female) == ("nam", "nu") else None


def _is_column_numbering(cells: Sequence[object]) -> bool:
    """True for the row of column numbers forms put under the header: "1 2 3 …", "(1) (2) …", "A B C …"."""
    texts = [plain(cell) for cell in cells if plain(cell)]
    return len(texts) >= 3 and all(_COLUMN_NUMBER.fullmatch(text) for text in texts) and len(set(texts)) == len(texts)


def find_header(kind: str, rows: Iterator[tuple[int, Row]], *, sheet: str = "") -> Header:
    """Read rows until the header row (within the first rows: files often start with a title) and return it.

    Raises DomainError (missing, duplicated or unrecognisable columns; a lone column of given names), naming
    the sheet when the file has several.
    """
    where = _(" (trang “%(sheet)s”)") % {"sheet": sheet} if sheet else ""
    seen: list[tuple[int, Row]] = []
    best: tuple[int, dict[str, int], Sequence[object], int] | None = None  # (row, positions, cells, index in seen)
    required = [column for column in COLUMNS[kind] if column.required]
    for number, cells in rows:
        seen.append((number, cells))
        positions = match_header(kind, cells)
        if best is None or len(positions) > len(best[1]):
            best = (number, positions, cells, len(seen) - 1)
        if _has_required(kind, positions, required) or number >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise DomainError(_("Tệp không có dòng nào. Hãy điền danh sách vào tệp mẫu rồi gửi lại."), code="empty")
    number, positions, cells, index = best
    # A two-level header: the row under the best one may name the columns under group cells.
    following = seen[index + 1] if index + 1 < len(seen) else next(rows, None)
    if following is not None and index + 1 >= len(seen):
        seen.append(following)
    if following is not None:
        combined = _combined(cells, following[1], kind)
        combined_positions = match_header(kind, combined)
        if len(combined_positions) > len(positions) and _is_sub_header(kind, cells, following[1]):
            number, positions, cells, index = following[0], combined_positions, combined, index + 1
        split = _birth_date_by_sex(positions, following[1])
        if split is not None:
            # "Ngày sinh" over "Nam" | "Nữ": the date is written under the person's sex (a common form).
            positions["birth_date_female"] = split
            if index < len(seen) and seen[index][0] != following[0]:
                index += 1  # the Nam | Nữ row is part of the header
    rest_seen = seen[index + 1 :]
    if not rest_seen:
        upcoming = next(rows, None)
        rest_seen = [upcoming] if upcoming is not None else []
    if rest_seen and _is_column_numbering(rest_seen[0][1]):
        rest_seen = rest_seen[1:]
    _check_columns(kind, number, positions, cells, where)
    headers = {key: " ".join(str(cells[i]).split()) for key, i in positions.items() if i < len(cells) and cells[i]}
    if "birth_date_female" in positions:
        birth_header = headers.get("birth_date", "Ngày sinh")
        headers["birth_date"] = f"{birth_header} (Nam)"
        headers["birth_date_female"] = f"{birth_header} (Nữ)"
    width = max((i + 1 for i, cell in enumerate(cells) if plain(cell)), default=0)
    width = max(width, *(i + 1 for i in positions.values()))
    return Header(number, positions, headers, width, itertools.chain(rest_seen, rows))


def _has_required(kind: str, positions: dict[str, int], required: list[Column]) -> bool:
    keys = set(positions)
    if "family_name" in keys and "given_name" in keys:
        keys.add("full_name")
    return all(column.key in keys for column in required)


def _check_columns(kind: str, number: int, positions: dict[str, int], cells: Sequence[object], where: str) -> None:
    expected = ", ".join(f"“{column.header}”" for column in COLUMNS[kind] if column.required)
    if len(positions) < 2:
        raise DomainError(
            _(
                "Không tìm thấy dòng tiêu đề trong %(rows)s dòng đầu%(where)s. Dòng tiêu đề cần có các cột: "
                "%(columns)s. Hãy tải tệp mẫu và giữ nguyên tiêu đề cột."
            )
            % {"rows": HEADER_SEARCH_ROWS, "columns": expected, "where": where},
            code="header",
        )
    duplicates = duplicate_headers(kind, cells)
    if duplicates:
        raise DomainError(
            _("Cột %(columns)s xuất hiện hai lần ở dòng tiêu đề (dòng %(row)s%(where)s). Hãy xóa cột thừa.")
            % {"columns": ", ".join(f"“{name}”" for name in duplicates), "row": number, "where": where},
            code="header",
        )
    if "full_name" not in positions:
        if "given_name" in positions and "family_name" not in positions:
            raise DomainError(
                _(
                    "Cột “%(given)s” (dòng %(row)s%(where)s) chỉ là tên gọi, không phải họ và tên, và tệp không có "
                    "cột “Họ”. Nếu cột này ghi đủ họ và tên, hãy đổi tiêu đề thành “Họ và tên”; nếu không, hãy thêm "
                    "cột “Họ” (hoặc “Họ và tên đệm”)."
                )
                % {"given": " ".join(str(cells[positions["given_name"]]).split()), "row": number, "where": where},
                code="missing_columns",
            )
        if "family_name" in positions and "given_name" not in positions:
            raise DomainError(
                _(
                    "Tệp có cột “%(family)s” (dòng %(row)s%(where)s) nhưng thiếu cột “Tên”: không ghép được họ và "
                    "tên. Hãy thêm cột “Tên” hoặc dùng một cột “Họ và tên”."
                )
                % {"family": " ".join(str(cells[positions["family_name"]]).split()), "row": number, "where": where},
                code="missing_columns",
            )
    has_name = "full_name" in positions or ("family_name" in positions and "given_name" in positions)
    missing: list[Column] = [
        column
        for column in COLUMNS[kind]
        if column.required
        and column.key not in positions
        and not (column.key == "full_name" and has_name)
        and not (column.key == "sex" and "birth_date_female" in positions)  # the sex is where the date is
    ]
    problems = [f"“{column.header}”" for column in missing]
    if kind == ImportKind.RESIDENTS and "village_code" not in positions and "village_name" not in positions:
        problems.append(_("“Mã thôn” hoặc “Thôn, tổ dân phố”"))
    if problems:
        raise DomainError(
            _("Thiếu cột bắt buộc: %(columns)s (dòng tiêu đề là dòng %(row)s%(where)s). Hãy dùng tệp mẫu.")
            % {"columns": ", ".join(problems), "row": number, "where": where},
            code="missing_columns",
        )


def name_columns(positions: dict[str, int]) -> tuple[str, ...]:
    """The keys the full name is read from: the full-name column, or the split parts the file has."""
    if "full_name" in positions:
        return ("full_name",)
    return tuple(key for key in NAME_PARTS if key in positions)


__all__ = ["Header", "column_by_key", "find_header", "name_columns"]
