"""The base classes: every /api/v1/ route carries an access policy, and an endpoint that forgets the scope
cannot be defined (or fails loudly) rather than leak."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.mixins import ListModelMixin
from rest_framework.test import APIRequestFactory, force_authenticate

from hocvuso.accounts.access import AccessPolicy
from hocvuso.accounts.roles import Permission, Role
from hocvuso.api import views
from hocvuso.api.base import ApiView, PublicApiView
from hocvuso.territory.models import AdministrativeUnit


def api_routes():
    """(name, view class) for every route under /api/v1/, taken from the URL resolver."""
    routes = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith("api/v1/"):
                assert pattern.callback.access_policy == pattern.callback.cls.access_policy
                routes.append((pattern.name, pattern.callback.cls))

    walk(get_resolver().url_patterns, "")
    return routes


def test_every_api_route_is_a_base_class_with_a_policy():
    routes = dict(api_routes())

    assert {name: cls.access_policy for name, cls in routes.items()} == {
        "me": AccessPolicy(permission=None),
        "unit-list": AccessPolicy(permission=Permission.VIEW_UNITS),
        "unit-detail": AccessPolicy(permission=Permission.VIEW_UNITS, unit_kwarg="code"),
        "unit-children": AccessPolicy(permission=Permission.VIEW_UNITS, unit_kwarg="code"),
        "organisation-list": AccessPolicy(permission=Permission.VIEW_PEOPLE),
        "audit-entry-list": AccessPolicy(permission=Permission.VIEW_AUDIT),
        "token-list": AccessPolicy(permission=None),
        "token-detail": AccessPolicy(permission=None),
        "report-list": AccessPolicy(permission=Permission.VIEW_REPORTS),
        "report-detail": AccessPolicy(permission=Permission.VIEW_REPORTS),
        "roster-import-list": AccessPolicy(permission=Permission.IMPORT_ROSTER),
        "roster-import-detail": AccessPolicy(permission=Permission.IMPORT_ROSTER),
        "roster-import-confirm": AccessPolicy(permission=Permission.IMPORT_ROSTER),
        "field-device-list": AccessPolicy(permission=None),  # a user's own devices (issuing: a full sign-in)
        "field-device-revoke": AccessPolicy(permission=None),  # own devices and those of the teams led
        "field-worklist": AccessPolicy(permission=Permission.RECORD_VISIT),
        "field-visits": AccessPolicy(permission=Permission.RECORD_VISIT),
        "field-attendances": AccessPolicy(permission=Permission.RUN_CLASS),
        "field-sessions": AccessPolicy(permission=Permission.RUN_CLASS),
        "field-session-people": AccessPolicy(permission=Permission.RUN_CLASS),
        "schema": AccessPolicy(permission=None, public=True),
        "docs": AccessPolicy(permission=None, public=True),
    }
    assert all(issubclass(cls, ApiView | PublicApiView) for cls in routes.values())


def test_a_subclass_that_declares_no_permission_is_refused():
    with pytest.raises(ImproperlyConfigured, match="must declare required_permission"):

        class Forgetful(ApiView):
            pass


def test_a_subclass_that_declares_something_else_is_refused():
    with pytest.raises(ImproperlyConfigured, match="must be a Permission or None"):

        class Confused(ApiView):
            required_permission = "view_units"


def test_a_subclass_that_overrides_get_queryset_is_refused():
    with pytest.raises(ImproperlyConfigured, match="must implement scoped_queryset"):

        class Sneaky(ApiView):
            required_permission = Permission.VIEW_UNITS

            def get_queryset(self):
                return AdministrativeUnit.objects.all()


def test_a_mixin_that_brings_its_own_get_queryset_is_refused():
    class AllUnits:
        def get_queryset(self):
            return AdministrativeUnit.objects.all()

    with pytest.raises(ImproperlyConfigured, match="must implement scoped_queryset"):

        class Mixed(AllUnits, ApiView):
            required_permission = Permission.VIEW_UNITS


def test_a_subclass_that_sets_a_queryset_is_refused():
    with pytest.raises(ImproperlyConfigured, match="must not set queryset"):

        class Lazy(ApiView):
            required_permission = Permission.VIEW_UNITS
            queryset = AdministrativeUnit.objects.all()


def test_an_abstract_intermediate_class_may_leave_the_permission_to_its_subclasses():
    class Intermediate(ApiView, abstract=True):
        pass

    class Concrete(Intermediate):
        required_permission = Permission.VIEW_PEOPLE

    assert Concrete.access_policy == AccessPolicy(permission=Permission.VIEW_PEOPLE)
    assert not hasattr(Intermediate, "access_policy")


def test_a_list_that_does_not_implement_the_scope_fails_loudly(province_admin):
    class Unscoped(ListModelMixin, ApiView):
        required_permission = Permission.VIEW_UNITS
        serializer_class = views.UnitSerializer

        def get(self, request):
            return self.list(request)

    request = APIRequestFactory().get("/api/v1/unscoped/")
    force_authenticate(request, user=province_admin)

    with pytest.raises(ImproperlyConfigured, match="does not implement scoped_queryset"):
        Unscoped.as_view()(request)


def test_the_policy_is_checked_before_the_handler_runs(make_user, territory):
    calls = []

    class Guarded(ApiView):
        required_permission = Permission.VIEW_AUDIT

        def get(self, request):
            calls.append(request.user)
            return views.Response({})

    request = APIRequestFactory().get("/api/v1/guarded/")
    force_authenticate(request, user=make_user(Role.COMMUNE_OFFICER, unit=territory.commune))

    response = Guarded.as_view()(request)

    assert response.status_code == 404
    assert calls == []


def test_a_public_view_reads_no_credentials():
    assert views.SchemaView.authentication_classes == []
    assert views.DocsView.authentication_classes == []
