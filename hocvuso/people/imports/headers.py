"""Finding the header row of a roster table: which columns the file has, where, and as it writes them."""

from collections.abc import Sequence

from django.utils.translation import gettext as _

from hocvuso.core.errors import DomainError

from ..import_models import ImportKind
from .cells import plain
from .columns import COLUMNS, Column, duplicate_headers, match_header
from .readers import HEADER_SEARCH_ROWS, TableSource


def find_header(kind: str, source: TableSource) -> tuple[int, dict[str, int], dict[str, str], int]:
    """Read rows until the header row (within the first rows: files often start with a title) and return its
    row number, column positions and the header texts as written. Raises DomainError (missing, duplicated or
    unrecognisable columns)."""
    best: tuple[int, dict[str, int], Sequence[object]] | None = None
    for number, cells in source.rows:
        positions = match_header(kind, cells)
        if best is None or len(positions) > len(best[1]):
            best = (number, positions, cells)
        required = [column for column in COLUMNS[kind] if column.required]
        if all(column.key in positions for column in required):
            break
        if number >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise DomainError(_("Tệp không có dòng nào. Hãy điền danh sách vào tệp mẫu rồi gửi lại."), code="empty")
    number, positions, cells = best
    expected = ", ".join(f"“{column.header}”" for column in COLUMNS[kind] if column.required)
    if len(positions) < 2:
        raise DomainError(
            _(
                "Không tìm thấy dòng tiêu đề trong %(rows)s dòng đầu. Dòng tiêu đề cần có các cột: %(columns)s. "
                "Hãy tải tệp mẫu và giữ nguyên tiêu đề cột."
            )
            % {"rows": HEADER_SEARCH_ROWS, "columns": expected},
            code="header",
        )
    duplicates = duplicate_headers(kind, cells)
    if duplicates:
        raise DomainError(
            _("Cột %(columns)s xuất hiện hai lần ở dòng tiêu đề (dòng %(row)s). Hãy xóa cột thừa.")
            % {"columns": ", ".join(f"“{name}”" for name in duplicates), "row": number},
            code="header",
        )
    missing: list[Column] = [column for column in COLUMNS[kind] if column.required and column.key not in positions]
    problems = [f"“{column.header}”" for column in missing]
    if kind == ImportKind.RESIDENTS and "village_code" not in positions and "village_name" not in positions:
        problems.append(_("“Mã thôn” hoặc “Thôn, tổ dân phố”"))
    if problems:
        raise DomainError(
            _("Thiếu cột bắt buộc: %(columns)s (dòng tiêu đề là dòng %(row)s). Hãy dùng tệp mẫu.")
            % {"columns": ", ".join(problems), "row": number},
            code="missing_columns",
        )
    headers = {key: " ".join(str(cells[index]).split()) for key, index in positions.items()}
    width = max((index + 1 for index, cell in enumerate(cells) if plain(cell)), default=0)
    return number, positions, headers, width
