"""The site's URL configuration mounted under /elsewhere/ (test_links: addresses follow the configuration)."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("config.urls"))]
