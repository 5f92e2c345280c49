"""Admin for the registry: organisations are edited here; households, residents, memberships and digital
identities are shown read-only (their writes go through hocvuso.people.services, which validate and audit).
National IDs and phones appear masked only; a full ID is read through `reveal_national_id`, never here."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from hocvuso.core.errors import DomainError
from hocvuso.core.text import search_key

from .ethnicity import ETHNICITIES
from .models import DigitalIdentity, Household, Membership, Organisation, Resident
from .national_id import normalise_national_id
from .national_id_search import search_by_national_id


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["unit"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ["code", "village", "address", "head"]
    search_fields = ["code"]
    list_select_related = ["village", "head"]
    show_full_result_count = False


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = [
        "full_name",
        "birth_date",
        "sex",
        "ethnicity_name",
        "masked_national_id",
        "masked_phone",
        "village",
        "household",
    ]
    readonly_fields = [
        "full_name",
        "birth_date",
        "sex",
        "ethnicity_name",
        "masked_national_id",
        "masked_phone",
        "village",
        "household",
        "user",
        "created_at",
        "updated_at",
    ]
    fields = tuple(readonly_fields)
    list_select_related = ["village", "household"]
    list_filter = ["sex"]
    search_fields = ["name_key"]
    show_full_result_count = False

    @admin.display(description="Dân tộc")
    def ethnicity_name(self, resident: Resident) -> str:
        return ETHNICITIES.get(resident.ethnicity, "")

    @admin.display(description="Số định danh")
    def masked_national_id(self, resident: Resident) -> str:
        return resident.masked_national_id

    @admin.display(description="Điện thoại")
    def masked_phone(self, resident: Resident) -> str:
        return resident.masked_phone

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Resident], search_term: str
    ) -> tuple[QuerySet[Resident], bool]:
        """A full 12-digit ID is a search by national ID with the same rules as everywhere (`search_by_national_id`:
        MANAGE_PEOPLE, rate-limited, audited); anything else matches names without diacritics."""
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            national_id = normalise_national_id(term)
        except DomainError:
            national_id = None
        if national_id is not None:
            try:
                found = search_by_national_id(user=request.user, national_id=national_id)
            except DomainError as error:
                messages.error(request, str(error.message))
                return queryset.none(), False
            return queryset.filter(pk__in=found.values("pk")), False
        for word in search_key(term).split():
            queryset = queryset.filter(name_key__contains=word)
        return queryset, False


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["resident", "organisation", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    list_select_related = ["resident", "organisation"]
    show_full_result_count = False


@admin.register(DigitalIdentity)
class DigitalIdentityAdmin(ReadOnlyAdmin):
    list_display = ["resident", "vneid_level", "vneid_source", "vneid_recorded_on", "has_bank_account", "bank_source"]
    list_filter = ["vneid_level", "has_bank_account"]
    list_select_related = ["resident"]
    show_full_result_count = False
