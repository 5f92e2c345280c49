"""How the monitoring pages and their XLSX exports show a figure: rounded once (half up, one decimal), with the
status and the forecast put into words. The page and the file both read these values, so they hold the same
numbers."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property, lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import dateformat, timezone
from django.utils.formats import get_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hocvuso.indicators.models import Measure
from hocvuso.indicators.selectors import STATUS_LABELS, Figure, IndicatorInfo, Status

# What each status means, for the legend next to the colours.
STATUS_HELP: dict[str, str | Promise] = {
    Status.MET: _("đã đạt mục tiêu của năm"),
    Status.ON_TRACK: _("với tốc độ hiện nay, đạt mục tiêu trước cuối năm"),
    Status.AT_RISK: _("đang tăng nhưng dự báo đạt sau cuối năm"),
    Status.OFF_TRACK: _("không tăng hoặc giảm trong các tuần gần đây"),
}

ONE_DECIMAL = Decimal("0.1")
DATE_FORMAT = "d/m/Y"
MOMENT_FORMAT = "H:i d/m/Y"


def rounded(number: float | None) -> Decimal | None:
    """One decimal, half up (72.25 → 72.3): the form every page and export shows."""
    if number is None:
        return None
    return Decimal(repr(number)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


@lru_cache(maxsize=16)
def _separators(language: str) -> tuple[str, str, bool]:
    """The language's decimal and thousands separators, and whether it groups thousands."""
    return (
        str(get_format("DECIMAL_SEPARATOR", language)),
        str(get_format("THOUSAND_SEPARATOR", language)),
        bool(get_format("NUMBER_GROUPING", language)),
    )


def _number_text(
    number: Decimal | int | None, separators: tuple[str, str, bool], *, decimals: int = 0, drop_zero: bool = False
) -> str:
    """A number in the page's language ("72,2" in Vietnamese, "72.2" in English; thousands grouped where the
    language groups them, as `intcomma` does), "" for None. `drop_zero`: 80.0 → "80" (as `floatformat:-1`).
    Plain string formatting: a province page shows hundreds of numbers and Django's filters cost more."""
    if number is None:
        return ""
    if drop_zero and number == int(number):
        decimals = 0
    decimal_separator, thousand_separator, grouped = separators
    text = f"{number:{',' if grouped else ''}.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal_separator).replace("\0", thousand_separator)


def indicator_name(info: IndicatorInfo) -> str:
    """The indicator's name in the page's language (English when asked for and given)."""
    if (get_language() or "").startswith("en") and info.name_en:
        return info.name_en
    return info.name


def day_text(day: date | None) -> str:
    """The day as DATE_FORMAT writes it ("07/12/2026"; the same in every language), without the cost of
    `dateformat` (a province page writes hundreds of days)."""
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""


def moment_text(moment: datetime | None) -> str:
    """A moment in the province's time zone, "14:05 24/11/2026"."""
    return dateformat.format(timezone.localtime(moment), MOMENT_FORMAT) if moment else ""


@dataclass(frozen=True)
class TrendCell:
    """One week of a trend as shown: the value rounded, the day and the value in the page's language."""

    day: date
    value: Decimal | None
    day_text: str = ""
    value_text: str = ""  # "72,3" (a percentage, without its sign) or "1234" (a count); "" for no value


@dataclass(frozen=True)
class Shown:
    """A figure as shown: the selector's counts as they are, percentages and the pace rounded to one decimal,
    the status and the forecast in words."""

    figure: Figure
    name: str
    value: Decimal | None
    target: Decimal | None
    gap: Decimal | None
    pace: Decimal | None
    status_label: str
    forecast_note: str
    value_text: str = ""
    target_text: str = ""
    gap_text: str = ""
    pace_text: str = ""
    to_reach_text: str = ""
    numerator_text: str = ""
    denominator_text: str = ""
    forecast_text: str = ""  # the forecast date (d/m/Y), else the note

    @property
    def code(self) -> str:
        return self.figure.indicator.code

    @property
    def status(self) -> str:
        return self.figure.status

    @property
    def band(self) -> str:
        return self.figure.band

    @property
    def is_count(self) -> bool:
        return self.figure.indicator.measure == Measure.COUNT

    @property
    def numerator(self) -> int | None:
        return self.figure.numerator

    @property
    def denominator(self) -> int | None:
        return self.figure.denominator

    @property
    def to_reach(self) -> int | None:
        return self.figure.to_reach

    @property
    def not_reached(self) -> int | None:
        return self.figure.not_reached

    @property
    def forecast(self) -> date | None:
        return self.figure.forecast

    @cached_property
    def trend(self) -> tuple[TrendCell, ...]:
        """The weekly trend, rounded and written out when first read (a province page reads only its own
        cards' trends, not its communes')."""
        separators = _separators(get_language() or "")
        plain = (separators[0], "", False)  # the trend table does not group thousands
        decimals = 0 if self.is_count else 1
        cells = []
        for point in self.figure.trend:
            value = rounded(point.value)
            text = _number_text(value, plain, decimals=decimals)
            cells.append(TrendCell(point.day, value, day_text(point.day), text))
        return tuple(cells)

    @property
    def has_trend(self) -> bool:
        return any(point.value is not None for point in self.figure.trend)

    def chart_data(self) -> dict[str, object]:
        """What the trend chart draws (dates, values, target), for `json_script`."""
        return {
            "days": [cell.day_text[:5] for cell in self.trend],
            "values": [float(cell.value) if cell.value is not None else None for cell in self.trend],
            "target": float(self.target) if self.target is not None else None,
        }


def forecast_note(figure: Figure) -> str:
    """The forecast in words when there is no date to show."""
    if figure.forecast is not None:
        return ""
    if figure.status == Status.MET:
        return str(_("Đã đạt mục tiêu"))
    if figure.status in (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK):
        return str(_("Không đạt với tốc độ hiện nay"))
    return ""


MAX_SHOWN_KEPT = 4096
# (language, id of the figure) → (the figure, as shown): the figure is kept with it, so its id is not reused
_shown: dict[tuple[str, int], tuple[Figure, "Shown"]] = {}


def show(figure: Figure) -> Shown:
    """The figure as pages and exports show it, made once per figure object and language in this process: the
    dashboard selector keeps its figures while the facts and targets they come from stay the same
    (indicators.selectors.dashboards._UnitFacts), so a province page's ~140 figures are the same objects from
    one request to the next and are rounded and written out once. A Shown depends only on its figure and the
    language. Bounded: emptied at MAX_SHOWN_KEPT."""
    language = get_language() or ""
    kept = _shown.get((language, id(figure)))
    if kept is not None and kept[0] is figure:
        return kept[1]
    shown = _show(figure)
    if len(_shown) >= MAX_SHOWN_KEPT:
        _shown.clear()
    _shown[language, id(figure)] = (figure, shown)
    return shown


def _show(figure: Figure) -> Shown:
    value, target, gap, pace = (rounded(number) for number in (figure.value, figure.target, figure.gap, figure.pace))
    if figure.indicator.measure == Measure.COUNT:
        value = None  # a count is its numerator (numerator_text), never a percentage
    note = forecast_note(figure)
    separators = _separators(get_language() or "")
    return Shown(
        figure=figure,
        name=indicator_name(figure.indicator),
        value=value,
        target=target,
        gap=gap,
        pace=pace,
        status_label=str(STATUS_LABELS[figure.status]),
        forecast_note=note,
        value_text=_number_text(value, separators, decimals=1),
        target_text=_number_text(target, separators, decimals=1, drop_zero=True),
        gap_text=_number_text(gap, separators, decimals=1),
        pace_text=_number_text(pace, separators, decimals=1),
        to_reach_text=_number_text(figure.to_reach, separators),
        numerator_text=_number_text(figure.numerator, separators),
        denominator_text=_number_text(figure.denominator, separators),
        forecast_text=day_text(figure.forecast) or note,
    )


# --- Indicator cards ------------------------------------------------------------------------------------------

CARD_TEMPLATE = "web/monitoring/_card.html"
MAX_CARDS_KEPT = 1024
_cards: dict[tuple[str, str, Shown], SafeString] = {}


def cards_html(cards: Iterable[Shown], prefix: str) -> SafeString:
    """The indicator cards (CARD_TEMPLATE), each rendered once per process for as long as what it shows is
    the same. A card is kept under everything it is drawn from — the shown figure itself (its numbers, target,
    status, trend and the indicator's definition), the page's language and the prefix — so a card whose facts
    or target changed is a new key and is rendered afresh: a kept card is never stale. A province page's
    cards (each with its 13-week trend table and chart data) were a third of its rendering time. Not kept
    with DEBUG on, where templates are edited while the server runs. Bounded: emptied at MAX_CARDS_KEPT."""
    language = get_language() or ""
    keep = not settings.DEBUG
    parts = []
    for shown in cards:
        key = (language, prefix, shown)
        html = _cards.get(key) if keep else None
        if html is None:
            html = render_to_string(CARD_TEMPLATE, {"shown": shown, "prefix": prefix})
            if keep:
                if len(_cards) >= MAX_CARDS_KEPT:
                    _cards.clear()
                _cards[key] = html
        parts.append(html)
    return mark_safe("".join(parts))  # noqa: S308 — rendered by the template engine, which escapes
