"""Reads of sign-in with VNeID: a user's provider link and registration, and the registrations a commune confirms."""

from django.db.models import QuerySet

from hocvuso.accounts.access import AnyUser, require, scope
from hocvuso.accounts.models import User
from hocvuso.accounts.roles import Permission

from .models import PendingRegistration, ProviderIdentity, RegistrationStatus


def provider_identity_of(user: User, *, issuer: str) -> ProviderIdentity | None:
    """The provider account linked to the user at that issuer, if any."""
    return ProviderIdentity.objects.filter(user=user, issuer=issuer).first()


def registration_of(user: User) -> PendingRegistration | None:
    """The user's registration (pending, confirmed or rejected), with its commune, if they have one."""
    return PendingRegistration.objects.select_related("commune").filter(user=user).first()


def registrations_to_confirm(user: AnyUser) -> QuerySet[PendingRegistration]:
    """The pending registrations of the communes where the user may manage people, oldest first (two queries:
    the user's assignments, then the list)."""
    return (
        PendingRegistration.objects.filter(scope(user, Permission.MANAGE_PEOPLE, PendingRegistration))
        .filter(status=RegistrationStatus.PENDING)
        .select_related("commune")
        .order_by("created_at", "pk")
    )


def registration_to_decide(user: AnyUser, registration_id: int) -> PendingRegistration:
    """One registration the user may decide on (MANAGE_PEOPLE over its commune); NotFound otherwise, also when it
    does not exist."""
    registration = PendingRegistration.objects.select_related("commune", "user").filter(pk=registration_id).first()
    require(user, Permission.MANAGE_PEOPLE, registration)
    assert registration is not None
    return registration
