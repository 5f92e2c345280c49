"""Sign-in and sign-out pages; their URL names (accounts:login, accounts:logout) are what settings use."""

from django.urls import path

from . import views
from .vneid import views as vneid

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.sign_in, name="login"),
    path("xac-thuc/", views.second_factor, name="second_factor"),
    path("dang-xuat/", views.sign_out, name="logout"),
    path("ma-kich-hoat/", views.enrolment_codes, name="enrolment_codes"),
    path("", vneid.account, name="account"),
    path("vneid/", vneid.vneid_start, name="vneid_start"),
    path("vneid/xong/", vneid.vneid_callback, name="vneid_callback"),
    path("vneid/lien-ket/", vneid.vneid_link, name="vneid_link"),
]
