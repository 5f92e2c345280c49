"""The pages of the weekly community classes (buổi học cộng đồng, hocvuso/outreach/classes.py does the work, checks
access again and audits):

- the classes one runs (/lop-cong-dong/), and a learner's check-in with the code the room shows (…/diem-danh/);
- a commune's calendar (…/xa/<code>/: four weeks, a week with no class flagged) and an area's week (…/tong-hop/<code>/:
  every commune of a province, those with no class this week first);
- scheduling, editing and cancelling a class (commune officers: MANAGE_PEOPLE over the commune);
- a class's record (…/lop/<id>/) and a session's page (…/buoi/<uuid>/): attendance by registry search, the room's
  check-in code, a scanned learner card (a text field where the camera is missing) or a walk-in, and the supervised
  assessment the session opens (RUN_CLASS over the commune);
- the walk-ins a commune confirms (…/xa/<code>/vang-lai/).

A class or session outside the caller's reach answers 404 like a missing one; a refusal of the domain is shown.
"""

import datetime
from typing import Any

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from hocvuso.accounts.access import (
    class_runners_of,
    may_run_community_class,
    may_schedule_classes,
    requires,
    runs_classes_in,
    signed_in,
)
from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Permission
from hocvuso.core.errors import DomainError, NotFound
from hocvuso.learning.models import Assessment, Competence, Course, TargetGroup
from hocvuso.outreach import class_selectors, classes
from hocvuso.outreach.models import AttendanceMethod, ClassSession, CommunityClass, Recurrence, WalkIn
from hocvuso.people.ethnicity import ETHNICITIES
from hocvuso.people.models import Resident, Sex
from hocvuso.territory.models import AdministrativeUnit, Level

from ..learning.attempts import SESSION_PINS
from ..signin import client_address
from .setup import commune_of

WEEKDAYS = [
    (0, gettext_lazy("Thứ Hai")),
    (1, gettext_lazy("Thứ Ba")),
    (2, gettext_lazy("Thứ Tư")),
    (3, gettext_lazy("Thứ Năm")),
    (4, gettext_lazy("Thứ Sáu")),
    (5, gettext_lazy("Thứ Bảy")),
    (6, gettext_lazy("Chủ nhật")),
]


def _day(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(value or "")[:10])
    except ValueError:
        return timezone.localdate()


def _instructor_choices(commune: AdministrativeUnit) -> list[tuple[int, str]]:
    """Those who may run classes in the commune: its instructors, team leaders and officers (by role)."""
    return [(user.pk, user.get_full_name() or user.username) for user in class_runners_of(commune)]


class ClassForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Tên lớp"), max_length=200)
    place = forms.CharField(label=gettext_lazy("Địa điểm"), max_length=200)
    target_group = forms.ChoiceField(label=gettext_lazy("Nhóm đối tượng"), choices=TargetGroup.choices)
    course = forms.TypedChoiceField(label=gettext_lazy("Khóa học"), required=False, coerce=int, empty_value=None)
    competences = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Năng lực của khung (nếu không theo một khóa học)"), required=False, coerce=int
    )
    instructors = forms.TypedMultipleChoiceField(label=gettext_lazy("Người hướng dẫn"), coerce=int)
    capacity = forms.IntegerField(label=gettext_lazy("Số chỗ"), min_value=1, max_value=500, initial=30)
    recurrence = forms.ChoiceField(label=gettext_lazy("Lặp lại"), choices=Recurrence.choices)
    weekday = forms.TypedChoiceField(
        label=gettext_lazy("Thứ trong tuần"), choices=WEEKDAYS, coerce=int, required=False, empty_value=None
    )
    first_day = forms.DateField(label=gettext_lazy("Từ ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(
        label=gettext_lazy("Đến ngày (lớp hằng tuần)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    starts_at = forms.TimeField(label=gettext_lazy("Giờ bắt đầu"), widget=forms.TimeInput(attrs={"type": "time"}))
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Thời lượng (phút)"), min_value=15, max_value=480, initial=90
    )

    def __init__(self, *args: Any, commune: AdministrativeUnit, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        course_field: Any = self.fields["course"]
        course_field.choices = [("", "—")] + [
            (course.pk, course.title) for course in Course.objects.filter(is_published=True).order_by("title")[:200]
        ]
        competence_field: Any = self.fields["competences"]
        competence_field.choices = [
            (competence.pk, f"{competence.code} {competence.name}"[:120])
            for competence in Competence.objects.order_by("framework_id", "code")[:300]
        ]
        instructor_field: Any = self.fields["instructors"]
        instructor_field.choices = _instructor_choices(commune)
        if editing:
            for name in ("target_group", "course", "competences", "recurrence", "weekday", "first_day"):
                del self.fields[name]


def _schedule(form: ClassForm, commune: AdministrativeUnit, actor: Any) -> CommunityClass:
    data = form.cleaned_data
    course = Course.objects.filter(pk=data["course"]).first() if data.get("course") else None
    return classes.schedule_class(
        commune=commune,
        title=data["title"],
        place=data["place"],
        target_group=data["target_group"],
        capacity=data["capacity"],
        instructors=list(User.objects.filter(pk__in=data["instructors"])),
        recurrence=data["recurrence"],
        weekday=data.get("weekday"),
        first_day=data["first_day"],
        last_day=data.get("last_day"),
        starts_at=data["starts_at"],
        duration_minutes=data["duration_minutes"],
        course=course,
        competences=list(Competence.objects.filter(pk__in=data.get("competences") or [])),
        actor=actor,
    )


def learner_card_svg(resident: Resident) -> str:
    """A learner card's QR code (`classes.learner_card_payload`) as inline SVG, labelled for screen readers: printed
    on the class's sign-in cards, scanned (or its text pasted) on a session's page to mark the learner present."""
    svg = segno.make(classes.learner_card_payload(resident), error="m").svg_inline(scale=3, border=2)
    label = escape(_("Mã QR điểm danh của người học"))
    return str(svg).replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)


def _refuse(form: forms.Form, error: DomainError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error.message))


def _class(user: Any, class_id: int) -> CommunityClass:
    community_class = CommunityClass.objects.select_related("commune", "course").filter(pk=class_id).first()
    if community_class is None or not may_run_community_class(user, community_class):
        raise NotFound()
    return community_class


# --- Lists and calendars --------------------------------------------------------------------------------------------


@requires(Permission.RUN_CLASS)
def my_classes(request: HttpRequest) -> HttpResponse:
    """The classes the user may run that are going on (or begin) from today, with today's sessions first."""
    today = timezone.localdate()
    running = list(classes.classes_run_by(request.user).filter(last_day__gte=today, cancelled_at__isnull=True)[:100])
    sessions = list(
        ClassSession.objects.filter(community_class__in=running, day=today)
        .select_related("community_class")
        .order_by("starts_at")
    )
    return render(request, "web/outreach/classes/mine.html", {"classes": running, "sessions": sessions})


@requires(Permission.VIEW_UNITS, unit_kwarg="code")
def commune_calendar(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """A commune's calendar: four weeks from ?tu=<day> (this week by default), weeks with no class flagged."""
    commune = commune_of(unit)
    calendar = class_selectors.commune_calendar(commune=commune, first_day=_day(request.GET.get("tu")))
    context = {
        "calendar": calendar,
        "unit": commune,
        "previous": calendar.first_day - datetime.timedelta(weeks=4),
        "next": calendar.first_day + datetime.timedelta(weeks=4),
        "may_schedule": may_schedule_classes(request.user, commune),
        "may_run": runs_classes_in(request.user, commune),
    }
    return render(request, "web/outreach/classes/calendar.html", context)


@requires(Permission.VIEW_UNITS, unit_kwarg="code")
def area_week(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """Every commune of an area for the week holding ?ngay= (this week by default): sessions scheduled and held,
    attendance; the communes with no class that week first, flagged."""
    if unit.level == Level.VILLAGE:
        raise NotFound()
    day = _day(request.GET.get("ngay"))
    rows = class_selectors.area_week(unit=unit, day=day)
    monday = class_selectors.monday_of(day)
    context = {
        "unit": unit,
        "rows": rows,
        "monday": monday,
        "sunday": monday + datetime.timedelta(days=6),
        "flagged": sum(1 for row in rows if row.flagged),
        "previous": monday - datetime.timedelta(weeks=1),
        "next": monday + datetime.timedelta(weeks=1),
    }
    return render(request, "web/outreach/classes/area.html", context)


# --- Scheduling ------------------------------------------------------------------------------------------------------


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_http_methods(["GET", "POST"])
def new_class(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """Schedule a class of the commune (weekly or once)."""
    commune = commune_of(unit)
    form = ClassForm(request.POST or None, commune=commune)
    if request.method == "POST" and form.is_valid():
        try:
            community_class = _schedule(form, commune, request.user)
        except DomainError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("Đã lên lịch lớp học."))
            return redirect("web:class_detail", class_id=community_class.pk)
    return render(request, "web/outreach/classes/form.html", {"form": form, "unit": commune, "editing": None})


@requires(Permission.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def edit_class(request: HttpRequest, class_id: int) -> HttpResponse:
    """Change a class's title, place, capacity, instructors, time and last day."""
    community_class = _class(request.user, class_id)
    if not may_schedule_classes(request.user, community_class.commune):
        raise NotFound()
    initial = {
        "title": community_class.title,
        "place": community_class.place,
        "capacity": community_class.capacity,
        "instructors": list(community_class.instructors.values_list("pk", flat=True)),
        "starts_at": community_class.starts_at,
        "duration_minutes": community_class.duration_minutes,
        "last_day": community_class.last_day,
    }
    form = ClassForm(request.POST or None, initial=initial, commune=community_class.commune, editing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            classes.update_class(
                community_class=community_class,
                actor=request.user,
                title=data["title"],
                place=data["place"],
                capacity=data["capacity"],
                instructors=list(User.objects.filter(pk__in=data["instructors"])),
                starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"],
                last_day=data.get("last_day"),
            )
        except DomainError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("Đã lưu thay đổi của lớp học."))
            return redirect("web:class_detail", class_id=community_class.pk)
    context = {"form": form, "unit": community_class.commune, "editing": community_class}
    return render(request, "web/outreach/classes/form.html", context)


@requires(Permission.MANAGE_PEOPLE)
def cancel_class(request: HttpRequest, class_id: int) -> HttpResponse:
    """Cancel a class (POST): its sessions to come without attendance are cancelled. The class is looked up before
    the method is checked, so one out of reach answers 404 whatever the method."""
    community_class = _class(request.user, class_id)
    if not may_schedule_classes(request.user, community_class.commune):
        raise NotFound()
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    classes.cancel_class(community_class=community_class, actor=request.user, reason=request.POST.get("reason", ""))
    messages.success(request, _("Đã hủy lớp học; các buổi đã học vẫn được giữ."))
    return redirect("web:class_detail", class_id=community_class.pk)


@requires(Permission.MANAGE_PEOPLE)
def cancel_session(request: HttpRequest, session_id: Any) -> HttpResponse:
    """Cancel one session that has no attendance (POST; looked up first, as `cancel_class`)."""
    session = classes.session_for(user=request.user, session_id=session_id)
    if not may_schedule_classes(request.user, session.commune):
        raise NotFound()
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        classes.cancel_session(session=session, actor=request.user, reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Đã hủy buổi học."))
    return redirect("web:class_session", session_id=session.pk)


# --- A class and a session -------------------------------------------------------------------------------------------


@requires(Permission.RUN_CLASS)
def class_detail(request: HttpRequest, class_id: int) -> HttpResponse:
    """A class's record: its sessions with attendance, the people by target group, the elderly and ethnic-minority
    shares, the assessments passed in its supervised sessions."""
    community_class = _class(request.user, class_id)
    record = class_selectors.class_record(community_class=community_class, on=timezone.localdate())
    groups = [(label, record.by_group.get(key, 0)) for key, label in _GROUP_LABELS.items()]
    context = {
        "record": record,
        "community_class": community_class,
        "groups": groups,
        "instructors": list(community_class.instructors.all()),
        "may_schedule": may_schedule_classes(request.user, community_class.commune),
        "today": timezone.localdate(),
    }
    return render(request, "web/outreach/classes/detail.html", context)


_GROUP_LABELS = {
    "adult": gettext_lazy("Người trưởng thành"),
    "digital_identity": gettext_lazy("Từ 16 đến dưới 18 tuổi"),
    "elderly": gettext_lazy("Người cao tuổi"),
    "staff": gettext_lazy("Cán bộ, công chức, viên chức"),
    "student": gettext_lazy("Học sinh, sinh viên"),
    "worker": gettext_lazy("Người lao động doanh nghiệp, hợp tác xã"),
}


class WalkInForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=150)
    birth_year = forms.IntegerField(label=gettext_lazy("Năm sinh"), min_value=1900, max_value=2100)
    sex = forms.ChoiceField(label=gettext_lazy("Giới tính"), choices=Sex.choices)
    ethnicity = forms.TypedChoiceField(label=gettext_lazy("Dân tộc"), coerce=int, initial=1)
    village = forms.TypedChoiceField(label=gettext_lazy("Thôn"), coerce=int)

    def __init__(self, *args: Any, commune: AdministrativeUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ethnicity: Any = self.fields["ethnicity"]
        ethnicity.choices = sorted(ETHNICITIES.items())
        village: Any = self.fields["village"]
        village.choices = [
            (unit.pk, unit.name)
            for unit in AdministrativeUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("code")
        ]


def _take_attendance(request: HttpRequest, session: ClassSession, walk_in: WalkInForm) -> str | None:
    """Apply the posted action; returns the message to show (None when the walk-in form has errors to show)."""
    action = request.POST.get("action", "")
    if action == "registry":
        resident_id = request.POST.get("resident", "")
        resident = (
            Resident.objects.select_related("village").filter(pk=int(resident_id)).first()
            if resident_id.isdigit()
            else None
        )
        if resident is None:
            raise DomainError(_("Không tìm thấy người học."), field="resident")
        result = classes.record_attendance(
            session=session, resident=resident, method=AttendanceMethod.REGISTRY, actor=request.user
        )
    elif action == "card":
        resident = classes.resident_from_card(request.POST.get("card", ""))
        if resident is None:
            raise DomainError(_("Mã trên thẻ không đọc được hoặc không phải thẻ người học."), field="card")
        result = classes.record_attendance(
            session=session, resident=resident, method=AttendanceMethod.CARD, actor=request.user
        )
    elif action == "walk_in":
        if not walk_in.is_valid():
            return None
        data = walk_in.cleaned_data
        village = AdministrativeUnit.objects.filter(pk=data["village"]).first()
        if village is None:
            raise DomainError(_("Thôn không thuộc xã của lớp học."), field="village")
        result = classes.record_walk_in(
            session=session,
            full_name=data["full_name"],
            birth_year=data["birth_year"],
            sex=data["sex"],
            ethnicity=data["ethnicity"],
            village=village,
            actor=request.user,
        )
    elif action == "assessment":
        assessment = Assessment.objects.filter(pk=_int(request.POST.get("assessment")), kind="final").first()
        opened = classes.open_class_assessment(session=session, actor=request.user, assessment=assessment)
        pins = dict(request.session.get(SESSION_PINS, {}))
        pins[str(opened.session.pk)] = opened.pin
        request.session[SESSION_PINS] = pins
        return _("Đã mở bài đánh giá có giám sát. Mã PIN: %(pin)s — xem tại trang Kiểm tra có giám sát.") % {
            "pin": opened.pin
        }
    else:
        raise DomainError(_("Thao tác không hợp lệ."))
    if result.status == classes.UNCHANGED:
        return _("Người này đã được điểm danh ở buổi học này.")
    return _("Đã điểm danh.")


def _int(value: Any) -> int:
    """The posted id, or 0 (which names nothing)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


@requires(Permission.RUN_CLASS)
@require_http_methods(["GET", "POST"])
def session_page(request: HttpRequest, session_id: Any) -> HttpResponse:
    """A session: its check-in code to show in the room, the attendance taken, a registry search (?q=), a field
    for a scanned learner card, a walk-in form, and the supervised assessment to open for the attendees."""
    session = classes.session_for(user=request.user, session_id=session_id)
    walk_in = WalkInForm(
        request.POST if request.POST.get("action") == "walk_in" else None, commune=session.commune, prefix="walk_in"
    )
    if request.method == "POST":
        try:
            message = _take_attendance(request, session, walk_in)
        except NotFound:
            raise
        except DomainError as error:
            messages.error(request, str(error.message))
            if error.field in walk_in.fields and walk_in.is_bound:
                walk_in.add_error(error.field, str(error.message))
            else:
                return redirect("web:class_session", session_id=session.pk)
        else:
            if message is not None:
                messages.success(request, message)
                return redirect("web:class_session", session_id=session.pk)
    query = request.GET.get("q", "")[:100]
    context = {
        "session": session,
        "community_class": session.community_class,
        "attendance": class_selectors.attendance_of(session),
        "query": query,
        "found": classes.search_attendees(session=session, query=query) if query else [],
        "walk_in": walk_in,
        "assessments": list(Assessment.objects.filter(kind="final").select_related("course").order_by("pk")[:50]),
        "is_today": session.day == timezone.localdate(),
        "may_schedule": may_schedule_classes(request.user, session.commune),
    }
    return render(request, "web/outreach/classes/session.html", context)


# --- Walk-ins and check-in ---------------------------------------------------------------------------------------


@requires(Permission.MANAGE_PEOPLE, unit_kwarg="code")
@require_http_methods(["GET", "POST"])
def walk_ins(request: HttpRequest, unit: AdministrativeUnit) -> HttpResponse:
    """The commune's walk-ins waiting for a decision: confirm (registering the person, or naming the resident they
    are by the registry's id) or reject."""
    commune = commune_of(unit)
    if request.method == "POST":
        walk_in = WalkIn.objects.filter(pk=_int(request.POST.get("walk_in")), attendance__commune=commune).first()
        if walk_in is None:
            raise NotFound()
        resident = None
        if request.POST.get("resident", "").strip():
            resident = Resident.objects.select_related("village").filter(pk=_int(request.POST["resident"])).first()
            if resident is None:
                messages.error(request, _("Không tìm thấy người học."))
                return redirect("web:class_walk_ins", code=commune.code)
        try:
            classes.decide_walk_in(
                walk_in=walk_in,
                confirm=request.POST.get("decision") == "confirm",
                resident=resident,
                actor=request.user,
            )
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Đã xử lý."))
        return redirect("web:class_walk_ins", code=commune.code)
    context = {"unit": commune, "walk_ins": classes.pending_walk_ins(user=request.user, commune=commune)}
    return render(request, "web/outreach/classes/walk_ins.html", context)


class CheckInForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Mã điểm danh trên bảng"), max_length=12)


@signed_in
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    """A learner signed in on their own phone types the code the room shows and is marked present. Wrong codes are
    limited per learner and per client address (`classes.check_in_with_code`): past the limit, 429 with the time
    to try again."""
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = classes.check_in_with_code(
                user=request.user, code=form.cleaned_data["code"], ip_address=client_address(request)
            )
        except DomainError as error:
            form.add_error("code", str(error.message))
            if error.code == "throttled":
                response = render(request, "web/outreach/classes/check_in.html", {"form": form}, status=429)
                response["Retry-After"] = str(settings.LOGIN_FAILURE_WINDOW_SECONDS)
                return response
        else:
            messages.success(
                request,
                _("Bạn đã được điểm danh: %(title)s, ngày %(day)s.")
                % {
                    "title": result.attendance.session.community_class.title,
                    "day": result.attendance.day.strftime("%d/%m/%Y"),
                },
            )
            return redirect("web:class_check_in")
    return render(request, "web/outreach/classes/check_in.html", {"form": form})
