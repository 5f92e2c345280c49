from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

from hocvuso.accounts.access import public
from hocvuso.accounts.admin_site import ProductSignInAdminSite
from hocvuso.api.errors import not_found, server_error
from hocvuso.web.health import healthz

# The admin site (content editing) signs in through the product's sign-in and asks for a verified second factor.
admin.site.__class__ = ProductSignInAdminSite

# Under /api/ a 404 or 500 that no API view answered (an unknown route, an id that is not a number) is the API's
# JSON error too; elsewhere the pages.
handler404 = not_found
handler500 = server_error

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("hocvuso.api.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("jsi18n/", public(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("tai-khoan/", include("hocvuso.web.urls_accounts")),
    path("", include("hocvuso.web.urls")),
]
