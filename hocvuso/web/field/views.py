"""The field app (/thuc-dia/): the installable, offline-first app of the community digital teams' phones.

The app shell (the page, its script and style, the vendored `idb`, the icons, the manifest) holds no personal data
and is public, so the service worker may keep it and serve it with no network at all. Everything personal comes from
the field API (/api/v1/field/) with the phone's device token and is kept in the phone's IndexedDB, which the app
wipes at sign-out, after OUTREACH_DEVICE_IDLE_DAYS without contact with the server, and when the API answers that
the device was revoked. Only the registration page, where a signed-in member obtains the device token, needs a
session.
"""

import hashlib
import json
import uuid
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hocvuso.accounts.access import has_permission, public, signed_in
from hocvuso.accounts.roles import Permission
from hocvuso.outreach.classes import CARD_PREFIX
from hocvuso.outreach.models import EXCLUSIVE_OUTCOMES, Outcome
from hocvuso.outreach.selectors import memberships_of
from hocvuso.people.ethnicity import ETHNICITIES
from hocvuso.people.models import Sex

# The static files of the app shell, which the service worker keeps (with the page and the manifest).
SHELL_STATIC = [
    "web/field/field.css",
    "web/field/app.js",
    "vendor/idb/umd.js",
    "web/qrscan.js",  # the camera scanner of learner cards (the web's session page's too), and its decoder
    "vendor/jsqr/jsQR.js",
    "web/field/icon-192.png",
    "web/field/icon-512.png",
    "web/icon.svg",
]
SERVICE_WORKER_TEMPLATE = "web/field/sw.js"


def _messages() -> dict[str, str]:
    """The sentences the app's script shows, translated here (the page carries them as JSON)."""
    return {
        "offline": _("Không có mạng: các buổi hỗ trợ được giữ trên máy và sẽ gửi khi có mạng."),
        "online": _("Đã có mạng."),
        "downloading": _("Đang tải danh sách hộ…"),
        "downloaded": _("Đã tải danh sách: {count} hộ."),
        "unchanged": _("Danh sách hộ không đổi."),
        "download_failed": _("Không tải được danh sách hộ. Sẽ thử lại sau."),
        "syncing": _("Đang gửi các buổi hỗ trợ…"),
        "synced": _("Đã gửi xong: máy chủ đã nhận {count} buổi."),
        "nothing_to_send": _("Không còn buổi nào chờ gửi."),
        "retry": _("Gửi chưa được. Sẽ thử lại sau {seconds} giây."),
        "saved": _("Đã lưu buổi hỗ trợ trên máy."),
        "wiped_revoked": _("Thiết bị đã bị thu hồi hoặc hết hạn: dữ liệu trên máy đã được xóa."),
        "wiped_expired": _("Đã quá {days} ngày không liên lạc với máy chủ: dữ liệu trên máy đã được xóa."),
        "signed_out": _("Đã đăng xuất: dữ liệu trên máy đã được xóa."),
        "confirm_sign_out": _("Còn {count} buổi hỗ trợ chưa gửi. Đăng xuất sẽ xóa chúng. Vẫn đăng xuất?"),
        "registered": _("Đã đăng ký thiết bị."),
        "register_failed": _("Không đăng ký được thiết bị: {detail}"),
        "pending": _("Chờ gửi: {count} buổi."),
        "no_households": _("Chưa có hộ nào trong danh sách. Hãy tải danh sách khi có mạng."),
        "last_visit": _("Lần thăm gần nhất: {day}"),
        "never_visited": _("Chưa được thăm"),
        "born": _("sinh năm {year}"),
        "record_visit": _("Ghi buổi hỗ trợ"),
        "conflict": _("Trùng mã"),
        "rejected": _("Bị từ chối"),
        "discard": _("Bỏ buổi này"),
        "household": _("Hộ {code}, thôn {village}"),
        "head": _("Chủ hộ: {name}"),
        # Community classes: an instructor's sessions and attendance
        "sessions_downloaded": _("Đã tải các buổi học: {count} buổi."),
        "sessions_unchanged": _("Các buổi học không đổi."),
        "sessions_failed": _("Không tải được các buổi học. Sẽ thử lại sau."),
        "no_sessions": _("Không có buổi học nào từ hôm qua đến tuần sau."),
        "take_attendance": _("Điểm danh"),
        "session_label": _("{title}, {day}"),
        "session_when": _("{day}, {time} · {place} · {commune}"),
        "session_present": _("Đã điểm danh: {count} người (cả {pending} người đang chờ gửi)."),
        "session_not_started": _("Buổi học chưa diễn ra: chưa điểm danh được."),
        "attendance_pending": _("Điểm danh chờ gửi: {count} người."),
        "attendance_saved": _("Đã ghi {name} có mặt (lưu trên máy)."),
        "attendance_removed": _("Đã bỏ điểm danh chưa gửi của {name}."),
        "already_present": _("{name} đã được điểm danh ở buổi này."),
        "card_holder": _("Người có thẻ {end}"),
        "card_invalid": _("Mã trên thẻ không đúng: mã thẻ người học bắt đầu bằng HVS1:."),
        "card_duplicate": _("Thẻ này đã được ghi ở buổi này."),
        "walk_in_invalid": _("Hãy nhập họ và tên, năm sinh (4 chữ số), giới tính, dân tộc và thôn."),
        "walk_in_label": _("{name} (chưa có trong sổ, sinh năm {year})"),
        "search_offline": _("Cần có mạng để tìm trong sổ dân cư."),
        "search_short": _("Hãy nhập ít nhất hai chữ cái của họ tên."),
        "search_none": _("Không tìm thấy ai."),
        "search_failed": _("Không tìm được. Hãy thử lại."),
        "mark_present": _("Có mặt"),
        "mark_present_name": _("Ghi có mặt: {name}"),
        "state_pending": _("Chờ gửi"),
        "attendance": _("Điểm danh"),
        "synced_attendances": _("Đã gửi xong: máy chủ đã nhận {visits} buổi hỗ trợ và {attendances} lượt điểm danh."),
    }


def _needs() -> dict[str, str]:
    """The labels of the worklist's needs (outreach.selectors.NEED_WEIGHTS)."""
    return {
        "without_vneid_level_2": _("Chưa có VNeID mức 2"),
        "adults_not_literate": _("Chưa biết kỹ năng số cơ bản"),
        "elderly_alone": _("Người cao tuổi sống một mình"),
        "without_bank_account": _("Chưa có tài khoản ngân hàng số"),
        "not_visited_recently": _("Lâu chưa được thăm"),
        "ethnic_minority": _("Đồng bào dân tộc thiểu số"),
    }


def app_settings() -> dict[str, Any]:
    """What the app's script needs from the server: the API's addresses, the days after which data on the phone
    expires without contact, the outcomes (those that mean the person was not helped apart), and the sentences."""
    return {
        "api": {
            "worklist": reverse("api:field-worklist"),
            "visits": reverse("api:field-visits"),
            "devices": reverse("api:field-device-list"),
            "revoke": reverse("api:field-device-revoke"),
            "sessions": reverse("api:field-sessions"),
            "attendances": reverse("api:field-attendances"),
            # the session's id replaces the zeros
            "session_people": reverse("api:field-session-people", args=[uuid.UUID(int=0)]),
        },
        "card_prefix": CARD_PREFIX,
        "sexes": [{"value": str(value), "label": str(label)} for value, label in Sex.choices],
        "ethnicities": [{"value": code, "label": name} for code, name in sorted(ETHNICITIES.items())],
        "register_url": reverse("web:field_register"),
        "app_url": reverse("web:field_app"),
        "service_worker": reverse("web:field_service_worker"),
        "expire_days": settings.OUTREACH_DEVICE_IDLE_DAYS,
        "form_version": 1,
        "absent_outcomes": [
            {"value": str(value), "label": str(label)}
            for value, label in Outcome.choices
            if value in EXCLUSIVE_OUTCOMES
        ],
        "action_outcomes": [
            {"value": str(value), "label": str(label)}
            for value, label in Outcome.choices
            if value not in EXCLUSIVE_OUTCOMES
        ],
        "needs": _needs(),
        "messages": _messages(),
    }


@public
@require_GET
def field_app(request: HttpRequest) -> HttpResponse:
    """The app shell: the same page for everyone (no personal data), kept by the service worker."""
    return render(request, "web/field/app.html", {"app_settings": app_settings()})


@public
@require_GET
def field_manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: the app installs on a phone's home screen, opens on its own, in Vietnamese."""
    app_url = reverse("web:field_app")
    manifest = {
        "name": _("Học Vụ Số — Thực địa"),
        "short_name": _("Thực địa"),
        "description": _(
            "Danh sách hộ và ghi buổi hỗ trợ tại nhà của Tổ công nghệ số cộng đồng, dùng được khi không có mạng."
        ),
        "lang": get_language(),
        "dir": "ltr",
        "start_url": app_url,
        "scope": app_url,
        "id": app_url,
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#a4161a",
        "icons": [
            {"src": static("web/field/icon-192.png"), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static("web/field/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {"src": static("web/field/icon-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
            {"src": static("web/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


def shell_urls() -> list[str]:
    """The addresses the service worker keeps: the page, the manifest and the static files of the shell."""
    return [reverse("web:field_app"), reverse("web:field_manifest"), *[static(path) for path in SHELL_STATIC]]


@cache
def _static_digest() -> str:
    digest = hashlib.sha256()
    for path in SHELL_STATIC:
        found = finders.find(path)
        digest.update(path.encode())
        if isinstance(found, str):
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def shell_version(request: HttpRequest) -> str:
    """A version of the shell that changes when any of its files or its page changes: the service worker's cache
    name, so a new version replaces the old cache on the phone."""
    page = render(request, "web/field/app.html", {"app_settings": app_settings()}).content
    digest = hashlib.sha256(_static_digest().encode() + json.dumps(shell_urls()).encode() + page)
    return digest.hexdigest()[:16]


@public
@require_GET
def field_service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /thuc-dia/ so that its scope is the app; never cached by the browser's
    HTTP cache, so a new version is found at the next visit."""
    response = render(
        request,
        SERVICE_WORKER_TEMPLATE,
        {"version": shell_version(request), "shell": json.dumps(shell_urls())},
        content_type="text/javascript; charset=utf-8",
    )
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("web:field_app")
    return response


@signed_in
@require_GET
def field_register(request: HttpRequest) -> HttpResponse:
    """Register this phone: a signed-in member names it and picks their team — or, for an instructor (RUN_CLASS),
    community-class attendance only, with no team; the page's script asks the field API for the device token
    (shown once) and keeps it in the phone's IndexedDB, then opens the app. Anyone signed in sees the page (on their
    own phone); one who is neither a member nor an instructor is told why they cannot register it."""
    memberships = list(memberships_of(request.user)) if has_permission(request.user, Permission.RECORD_VISIT) else []
    return render(
        request,
        "web/field/register.html",
        {
            "memberships": memberships,
            "runs_classes": has_permission(request.user, Permission.RUN_CLASS),
            "app_settings": app_settings(),
        },
    )
