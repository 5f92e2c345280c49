"""Who issues a report and how it is signed (Decree 30/2020/NĐ-CP, Appendix I): the governing body, the issuing
body, the symbol after "BC-" in the number, the place name of the date line, the signing authority and title, and
where the report goes ("Nơi nhận"). From the unit's reporting assignment, with a commune's People's Committee's
defaults; the consolidated report is issued by the plan's consolidating agency (Sở Khoa học và Công nghệ)."""

from dataclasses import dataclass

from hocvuso.territory.models import AdministrativeUnit

from ..models import Plan, Report, ReportingAssignment, ReportKind


@dataclass(frozen=True)
class Issuer:
    governing_body: str
    name_lines: tuple[str, ...]
    symbol: str
    authority: str
    signer_title: str
    place: str
    recipients: tuple[str, ...]
    body_name: str  # as the body text names it: "Ủy ban nhân dân xã Quảng Khê", "Sở Nội vụ tỉnh Lâm Đồng"


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def place_name(unit: AdministrativeUnit) -> str:
    """A unit's name without its kind ("Xã Quảng Khê" → "Quảng Khê"), as the date line writes it."""
    name = unit.name
    for kind in sorted({unit.kind, "xã", "phường", "đặc khu", "tỉnh", "thành phố"}, key=len, reverse=True):
        if kind and name.lower().startswith(kind.lower() + " "):
            return name[len(kind) + 1 :]
    return name


def _from_assignment(assignment: ReportingAssignment, recipients: tuple[str, ...]) -> Issuer:
    if assignment.unit_id:
        unit = assignment.unit
        assert unit is not None
        lines = (assignment.issuer,) if assignment.issuer else ("ỦY BAN NHÂN DÂN", unit.name.upper())
        return Issuer(
            governing_body=assignment.governing_body,
            name_lines=lines,
            symbol=assignment.symbol or "UBND",
            authority=assignment.authority or "TM. ỦY BAN NHÂN DÂN",
            signer_title=assignment.signer_title or "CHỦ TỊCH",
            place=assignment.place_name or place_name(unit),
            recipients=recipients,
            body_name=f"Ủy ban nhân dân {_lower_first(unit.name)}",
        )
    organisation = assignment.organisation
    assert organisation is not None
    return Issuer(
        governing_body=assignment.governing_body,
        name_lines=(assignment.issuer or organisation.name.upper(),),
        symbol=assignment.symbol or organisation.code.split("-")[0],
        authority=assignment.authority,
        signer_title=assignment.signer_title or "GIÁM ĐỐC",
        place=assignment.place_name or place_name(organisation.unit),
        recipients=recipients,
        body_name=organisation.name,
    )


def issuer_of(report: Report) -> Issuer:
    """The issuer of a report, as its document shows it."""
    plan = Plan.objects.order_by("-year", "-created_at").first()
    if report.kind != ReportKind.CONSOLIDATED:
        assert report.assignment is not None
        recipients = tuple(plan.report_recipients) if plan else ()
        return _from_assignment(report.assignment, recipients or ("UBND tỉnh (qua Sở Khoa học và Công nghệ)",))
    recipients = tuple(plan.consolidated_recipients) if plan else ()
    recipients = ("UBND tỉnh", *recipients)
    agency = plan.consolidating_agency if plan else None
    assignment = (
        ReportingAssignment.objects.filter(organisation=agency).order_by("-valid_from").first() if agency else None
    )
    if assignment is not None:
        return _from_assignment(assignment, recipients)
    province = report.unit
    assert province is not None
    return Issuer(
        governing_body="",
        name_lines=("ỦY BAN NHÂN DÂN", f"{province.kind} {province.name}".upper()),
        symbol="UBND",
        authority="TM. ỦY BAN NHÂN DÂN",
        signer_title="CHỦ TỊCH",
        place=province.name,
        recipients=recipients,
        body_name=f"Ủy ban nhân dân {province.kind} {province.name}",
    )
