"""The public progress page (`/tien-do/`), open to everyone and made for a phone: find your commune, read its
figures, and page through a compact list of every commune.

Every figure comes from `hocvuso.indicators.selectors.public_progress`, which withholds small counts over the
whole province: the page only chooses which of those figures to show — the province's, the chosen commune's
(all indicators), and for each commune of the list its headline ones. Nothing here computes a figure.

"Xã của tôi" is the signed-in user's own commune (their home unit, or the commune holding it), else the commune
the visitor last chose on this device, kept in a first-party cookie holding only its code: no account, no
tracking, nothing sent to anyone else. The search is a plain GET form (works without JavaScript) matching
commune names without diacritics ("quang khe" finds "Xã Quảng Khê").
"""

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from hocvuso.accounts.access import home_unit, public
from hocvuso.core.text import fold_diacritics
from hocvuso.indicators.selectors import SUPPRESS_BELOW, PublicFigure, PublicProgress, PublicRow, public_progress
from hocvuso.territory.models import path_within

from .display import indicator_name

COMMUNES_PER_PAGE = 25
# The cookie keeping the commune a visitor chose: its code only, for a year, never read by anyone but this page.
CHOSEN_COOKIE = "xa_cua_toi"
CHOSEN_MAX_AGE = 365 * 24 * 3600
FORGET = "bo"  # ?xa=bo forgets the chosen commune
MAX_QUERY = 100
# The figures each commune's row of the list shows (the plan's headline outcomes), in this order.
HEADLINE = ("adults-digital-skills", "digital-identity", "digital-families")


def headline_labels() -> dict[str, str]:
    """Short column headings of the list (the full names are in the province's and the chosen commune's tables)."""
    return {
        "adults-digital-skills": _("Người lớn có kỹ năng số"),
        "digital-identity": _("Có danh tính số"),
        "digital-families": _("Gia đình số"),
    }


@dataclass(frozen=True)
class Line:
    """A row of figures with each figure's indicator name."""

    row: PublicRow
    figures: list[tuple[str, PublicFigure]]


def _own_commune(request: HttpRequest, progress: PublicProgress) -> PublicRow | None:
    """The signed-in user's commune: their home unit when it is a commune, or the commune holding it."""
    if not request.user.is_authenticated:
        return None
    unit = home_unit(request.user)
    if unit is None:
        return None
    return next((row for row in progress.communes if path_within(unit.path, row.place.path)), None)


def _chosen(request: HttpRequest, by_code: dict[str, PublicRow]) -> tuple[PublicRow | None, str | None]:
    """The commune the visitor picks now (?xa=) or picked before (the cookie), and the cookie to set: the code,
    "" to delete it, or None to leave it alone."""
    asked = request.GET.get("xa")
    if asked == FORGET:
        return None, ""
    if asked in by_code:
        return by_code[asked], asked
    return by_code.get(request.COOKIES.get(CHOSEN_COOKIE, "")), None


def _matching(rows: tuple[PublicRow, ...], query: str) -> list[PublicRow]:
    folded = " ".join(fold_diacritics(query).split())
    if not folded:
        return list(rows)
    return [row for row in rows if folded in " ".join(fold_diacritics(row.place.name).split())]


@public
def public_progress_page(request: HttpRequest) -> HttpResponse:
    """Tiến độ — the province's and each commune's progress on the plan's outcome indicators, for everyone:
    aggregates only, counts below SUPPRESS_BELOW withheld (with the percentage)."""
    progress = public_progress()
    names = [indicator_name(info) for info in progress.indicators]
    by_code = {row.place.code: row for row in progress.communes}
    chosen, cookie = _chosen(request, by_code)
    own = _own_commune(request, progress)
    mine = chosen if "xa" in request.GET and chosen else own or chosen
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    matches = _matching(progress.communes, query)
    page: Page = Paginator(matches, COMMUNES_PER_PAGE).get_page(request.GET.get("trang"))
    codes = [info.code for info in progress.indicators]
    labels = headline_labels()
    headline = [code for code in HEADLINE if code in codes]

    def line(row: PublicRow, only: list[str] | None = None) -> Line:
        pairs = list(zip(names, row.figures, strict=True))
        if only is not None:
            pairs = [(labels[code], row.figures[codes.index(code)]) for code in only]
        return Line(row, pairs)

    context = {
        "progress": progress,
        "suppress_below": SUPPRESS_BELOW,
        "province": line(progress.province),
        "mine": line(mine) if mine else None,
        "mine_is_own": mine is not None and mine == own,
        "remembered": mine is not None and mine is chosen and mine != own,
        "query": query,
        "match_count": len(matches),
        "headline": [labels[code] for code in headline],
        "page": page,
        "communes": [line(row, headline) for row in page.object_list],
        "commune_count": len(progress.communes),
    }
    response = render(request, "web/monitoring/public_progress.html", context)
    if cookie:
        response.set_cookie(
            CHOSEN_COOKIE, cookie, max_age=CHOSEN_MAX_AGE, httponly=True, samesite="Lax", secure=request.is_secure()
        )
    elif cookie == "":
        response.delete_cookie(CHOSEN_COOKIE, samesite="Lax")
    patch_vary_headers(response, ["Cookie"])
    return response
