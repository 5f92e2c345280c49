"""The audit log as people read it: each action and object kind in Vietnamese, the object linked to its page,
the details with their names. The codes (`people.importjob:7`, `people.reveal_national_id`) stay in the export.

Every action the code records has a label here; a test reads the sources for `action="…"` and fails on one
without. Actions whose last word is a status (`reporting.report_submitted`) are labelled by their family."""

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hocvuso.core.models import AuditEntry
from hocvuso.core.services import SYSTEM_ACTOR

ACTION_LABELS: dict[str, str | Promise] = {
    # accounts and sign-in
    "accounts.login": _("Đăng nhập"),
    "accounts.login_failed": _("Đăng nhập không thành công"),
    "accounts.assign_role": _("Giao vai trò"),
    "accounts.end_role": _("Kết thúc vai trò"),
    "accounts.issue_enrolment_code": _("Cấp mã đăng ký xác thực hai bước"),
    "accounts.totp_enrolled": _("Đăng ký xác thực hai bước"),
    "accounts.create_account": _("Tạo tài khoản"),
    "accounts.deactivate": _("Khóa tài khoản"),
    "accounts.reactivate": _("Mở khóa tài khoản"),
    "accounts.link_resident": _("Liên kết tài khoản với người dân"),
    "accounts.make_class_accounts": _("Tạo tài khoản cho lớp học"),
    "accounts.password_reset_requested": _("Yêu cầu đặt lại mật khẩu qua thư điện tử"),
    "accounts.reset_password": _("Đặt lại mật khẩu"),
    "accounts.reset_second_factor": _("Đặt lại xác thực hai bước"),
    "accounts.self_register": _("Tự đăng ký tài khoản"),
    "accounts.self_register_refused": _("Tự đăng ký tài khoản không thành công"),
    "accounts.set_password": _("Đặt mật khẩu"),
    "api_token.issue": _("Cấp khóa truy cập API"),
    "api_token.revoke": _("Thu hồi khóa truy cập API"),
    # territory
    "territory.load_admin_units": _("Nạp danh mục đơn vị hành chính"),
    "territory.import_villages": _("Nhập danh sách thôn, tổ dân phố"),
    "territory.merge_unit": _("Sáp nhập đơn vị hành chính"),
    "unit.view": _("Xem trang đơn vị"),
    # the registry
    "people.register_resident": _("Ghi vào sổ dân cư"),
    "people.correct_resident": _("Sửa thông tin người dân"),
    "people.record_death": _("Ghi nhận người dân đã mất"),
    "people.register_household": _("Ghi hộ gia đình"),
    "people.register_organisation": _("Ghi cơ quan, tổ chức"),
    "people.add_membership": _("Thêm thành viên cơ quan, trường, doanh nghiệp"),
    "people.end_membership": _("Kết thúc là thành viên"),
    "people.record_digital_identity": _("Ghi nhận danh tính số"),
    "people.record_identity_evidence": _("Ghi nhận danh tính số khi hỗ trợ tại hộ"),
    "people.reveal_national_id": _("Xem đầy đủ số định danh"),
    "people.search_national_id": _("Tìm theo số định danh"),
    "people.link_user_account": _("Liên kết tài khoản với người dân"),
    "people.export_own_data": _("Tải dữ liệu của tôi"),
    "people.generate_population": _("Tạo dân cư mẫu"),
    "people.request_transfer": _("Đề nghị chuyển người dân"),
    "people.approve_transfer": _("Đồng ý chuyển người dân"),
    "people.reject_transfer": _("Từ chối chuyển người dân"),
    "people.cancel_transfer": _("Hủy đề nghị chuyển người dân"),
    "people.import_roster.submit": _("Gửi tệp danh sách"),
    "people.import_roster.checked": _("Kiểm tra tệp danh sách (chưa nhập)"),
    "people.import_roster.imported": _("Nhập danh sách"),
    "people.import_roster.rejected": _("Tệp danh sách bị từ chối"),
    "people.import_roster.duplicate": _("Gửi lại tệp danh sách đã nhập"),
    "people.import_roster.stalled": _("Lượt nhập danh sách bị dừng"),
    # learning
    "learning.enrolled": _("Đăng ký khóa học"),
    "learning.enrolment_start_changed": _("Đổi ngày bắt đầu khóa học"),
    "learning.attempt_started": _("Bắt đầu bài đánh giá"),
    "learning.attempt_submitted": _("Nộp bài đánh giá"),
    "learning.literacy_confirmed": _("Xác nhận biết kỹ năng số cơ bản"),
    "learning.literacy_rule_saved": _("Lưu quy tắc xác nhận kỹ năng số"),
    "learning.resident_attached": _("Gắn người học với người dân"),
    "learning.self_assessed": _("Tự đánh giá kỹ năng số"),
    "learning.course_edited": _("Sửa khóa học"),
    "learning.course_exported": _("Xuất khóa học"),
    "learning.lesson_edited": _("Sửa bài học"),
    "learning.question_edited": _("Sửa câu hỏi"),
    "learning.assessment_edited": _("Sửa bài đánh giá"),
    "learning.media_stored": _("Lưu tệp hình ảnh, âm thanh"),
    "learning.narration_recorded": _("Ghi âm bài học"),
    "learning.supervised_session_opened": _("Mở buổi đánh giá có giám sát"),
    "learning.supervised_session_closed": _("Đóng buổi đánh giá có giám sát"),
    "learning.supervised_pin_wrong": _("Nhập sai mã buổi đánh giá có giám sát"),
    # community digital teams
    "outreach.create_team": _("Lập tổ công nghệ số cộng đồng"),
    "outreach.add_team_member": _("Thêm thành viên tổ"),
    "outreach.end_team_member": _("Kết thúc thành viên tổ"),
    "outreach.assign_households": _("Phân công hộ cho thành viên tổ"),
    "outreach.reassign_household": _("Phân công lại hộ"),
    "outreach.issue_device": _("Cấp khóa cho điện thoại thực địa"),
    "outreach.revoke_device": _("Thu hồi khóa điện thoại thực địa"),
    "outreach.record_visit": _("Ghi buổi hỗ trợ tại hộ"),
    "outreach.export_worklist": _("In, xuất danh sách hộ cần hỗ trợ của thôn"),
    "outreach.decide_registry_report": _("Xử lý báo cáo chuyển đi, qua đời"),
    "outreach.create_market": _("Đăng ký chợ, điểm kinh doanh"),
    "outreach.register_trader": _("Đăng ký tiểu thương học theo mô hình 4T"),
    "outreach.record_trader_step": _("Ghi nhận tiêu chí 4T của tiểu thương"),
    "outreach.record_event": _("Ghi nhận sự kiện"),
    "outreach.update_event": _("Sửa sự kiện"),
    "outreach.delete_event": _("Xóa sự kiện"),
    "outreach.schedule_class": _("Lên lịch lớp học cộng đồng"),
    "outreach.update_class": _("Sửa lớp học cộng đồng"),
    "outreach.cancel_class": _("Hủy lớp học cộng đồng"),
    "outreach.cancel_session": _("Hủy một buổi học cộng đồng"),
    "outreach.record_attendance": _("Điểm danh buổi học cộng đồng"),
    "outreach.check_in_throttled": _("Bị chặn vì nhập sai mã điểm danh quá nhiều lần"),
    "outreach.record_walk_in": _("Ghi người học chưa có trong sổ dân cư"),
    "outreach.decide_walk_in": _("Xác nhận người học chưa có trong sổ dân cư"),
    # credentials and VNeID
    "credentials.issue": _("Cấp chứng nhận"),
    "credentials.export": _("Xuất chứng nhận"),
    "credentials.retry_delivery": _("Gửi lại chứng nhận sang VNeID"),
    "credentials.rotate_signing_key": _("Đổi khóa ký chứng nhận"),
    "credentials.key_compromised": _("Báo lộ khóa ký chứng nhận"),
    "vneid.linked": _("Liên kết tài khoản VNeID"),
    "vneid.unlinked": _("Bỏ liên kết tài khoản VNeID"),
    "vneid.registration_created": _("Đăng ký qua VNeID"),
    "vneid.registration_commune": _("Chọn xã cho đăng ký qua VNeID"),
    "vneid.registration_confirmed": _("Xác nhận đăng ký qua VNeID"),
    "vneid.registration_rejected": _("Từ chối đăng ký qua VNeID"),
    # monitoring and reporting
    "indicators.load_plan": _("Nạp chỉ tiêu của kế hoạch"),
    "indicators.set_target": _("Đặt chỉ tiêu"),
    "indicators.rebuild": _("Tính lại các chỉ số"),
    "indicators.record_vneid_certification": _("Ghi xác nhận của VNeID"),
    "indicators.vneid_reconciliation": _("Đối chiếu số liệu VNeID"),
    "reporting.load_plan": _("Nạp nhiệm vụ của kế hoạch"),
    "reporting.update_task": _("Cập nhật nhiệm vụ"),
    "reporting.add_evidence": _("Thêm minh chứng"),
    "reporting.sync_assignments": _("Cập nhật phân công báo cáo"),
    "reporting.end_assignment": _("Kết thúc phân công báo cáo"),
    "import.run": _("Nhập dữ liệu"),
    "audit.export": _("Xuất nhật ký kiểm toán"),
}

# Actions named by a family and a status (`credentials.status_revoked`): the family's label.
FAMILY_LABELS: dict[str, str | Promise] = {
    "reporting.report_": _("Báo cáo quý: đổi trạng thái"),
    "credentials.status_": _("Đổi trạng thái chứng nhận"),
    "learning.course_": _("Đổi trạng thái khóa học"),
    "learning.framework_": _("Nạp khung kỹ năng số"),
    "learning.self_assessment_": _("Lưu kết quả tự đánh giá"),
}

OTHER_ACTION = _("Thao tác khác")

# Where an object of a kind is seen, when its page takes the object's id.
OBJECT_PAGES: dict[str, tuple[str, str]] = {
    "people.resident": ("web:resident", "resident_id"),
    "people.importjob": ("web:roster_import_job", "job_id"),
    "reporting.report": ("web:report", "report_id"),
    "vneid.pendingregistration": ("web:vneid_registration", "registration_id"),
    "learning.assessment": ("web:assessment", "assessment_id"),
}

DETAIL_LABELS: dict[str, str | Promise] = {
    "method": _("cách"),
    "second_factor": _("xác thực hai bước"),
    "role": _("vai trò"),
    "unit": _("đơn vị"),
    "valid_from": _("từ ngày"),
    "valid_to": _("đến ngày"),
    "rows": _("số dòng"),
    "created": _("thêm mới"),
    "updated": _("cập nhật"),
    "unchanged": _("không đổi"),
    "kind": _("loại"),
    "reason": _("lý do"),
    "status": _("trạng thái"),
    "fields": _("các trường"),
    "count": _("số lượng"),
    "file_name": _("tệp"),
}


def action_label(action: str) -> str | Promise:
    """The action in Vietnamese (never its code)."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return label
    for prefix, family in FAMILY_LABELS.items():
        if action.startswith(prefix):
            return family
    return OTHER_ACTION


def object_kind(object_type: str) -> str:
    """What kind of object a `app.model` label names, as its model calls itself ("Người dân"); "" if unknown."""
    if not object_type or "." not in object_type:
        return ""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return ""
    return str(model._meta.verbose_name).capitalize()


def object_url(object_type: str, object_id: str) -> str:
    """The page of the object, when it has one that takes its id ("" otherwise)."""
    page = OBJECT_PAGES.get(object_type)
    if page is None or not object_id:
        return ""
    name, argument = page
    try:
        return reverse(name, kwargs={argument: object_id})
    except NoReverseMatch:  # an id of another form than the page takes
        return ""


def _value(value: Any) -> str:
    if value is True:
        return str(_("có"))
    if value is False:
        return str(_("không"))
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


@dataclass(frozen=True)
class AuditLine:
    """One entry of the log as a person reads it."""

    entry: AuditEntry
    actor: str | Promise
    action: str | Promise
    kind: str
    url: str
    details: list[tuple[str, str]]


def audit_line(entry: AuditEntry) -> AuditLine:
    details = [
        (str(DETAIL_LABELS.get(key, key.replace("_", " "))), _value(value))
        for key, value in (entry.details or {}).items()
    ]
    system = entry.actor_id is None and entry.actor_label == SYSTEM_ACTOR
    return AuditLine(
        entry=entry,
        actor=_("Hệ thống") if system else entry.actor_label,
        action=action_label(entry.action),
        kind=object_kind(entry.object_type),
        url=object_url(entry.object_type, entry.object_id),
        details=details,
    )
