"""Sign-in and sign-out pages; their URL names (accounts:login, accounts:logout) are what settings use."""

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.sign_in, name="login"),
    path("xac-thuc/", views.second_factor, name="second_factor"),
    path("dang-xuat/", views.sign_out, name="logout"),
    path("ma-kich-hoat/", views.enrolment_codes, name="enrolment_codes"),
]
