from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import RoleAssignment, User
from .services import end_sessions_of

# Changing any of these changes what the user may do (or whether the admin site opens for them).
POWER_FIELDS = frozenset({"is_active", "is_staff", "is_superuser", "groups", "user_permissions"})


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["unit", "organisation"]


@admin.register(User)
class HocVuSoUserAdmin(UserAdmin):
    inlines = [RoleAssignmentInline]
    list_display = ["username", "full_name", "email", "is_active"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Học Vụ Số", {"fields": ("full_name", "preferred_language")}))

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        """A change of roles or admin flags made here ends the user's sessions and API tokens, as the
        services do (`end_sessions_of`)."""
        super().save_related(request, form, formsets, change)
        if change and (POWER_FIELDS & set(form.changed_data) or any(formset.has_changed() for formset in formsets)):
            end_sessions_of(form.instance)


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    """Authenticators, without their secret: the key is never shown (no field, no QR code) and never set here —
    a new authenticator is enrolled by its owner with an enrolment code. Deleting one (a lost phone) is allowed."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__full_name"]
    fields = readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[TOTPDevice]:
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
