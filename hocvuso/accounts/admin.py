from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import RoleAssignment, User


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
