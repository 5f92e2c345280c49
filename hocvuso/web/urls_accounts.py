"""Sign-in and sign-out pages, and the account pages; their URL names (accounts:login, accounts:logout) are what
settings use."""

from django.urls import path

from . import views
from .accounts import public as account_public
from .accounts import views as account_views
from .vneid import views as vneid

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.sign_in, name="login"),
    path("xac-thuc/", views.second_factor, name="second_factor"),
    path("dang-xuat/", views.sign_out, name="logout"),
    path("ma-kich-hoat/", views.enrolment_codes, name="enrolment_codes"),
    path("", vneid.account, name="account"),
    # Accounts people can get (hocvuso/web/accounts/)
    path("dang-ky/", account_public.register, name="register"),
    path("dat-mat-khau/", account_public.set_password, name="set_password"),
    path("quen-mat-khau/", account_public.password_reset, name="password_reset"),
    path("quen-mat-khau/da-gui/", account_public.password_reset_done, name="password_reset_done"),
    path("quen-mat-khau/<uidb64>/<token>/", account_public.password_reset_confirm, name="password_reset_confirm"),
    path("quen-mat-khau/xong/", account_public.password_reset_complete, name="password_reset_complete"),
    path("quan-ly/", account_views.account_list, name="manage"),
    path("quan-ly/moi/", account_views.account_new, name="manage_new"),
    path("quan-ly/<int:account_id>/", account_views.account_detail, name="manage_account"),
    path("lop/<str:code>/", account_views.class_accounts, name="class_accounts"),
    path("vneid/", vneid.vneid_start, name="vneid_start"),
    path("vneid/xong/", vneid.vneid_callback, name="vneid_callback"),
    path("vneid/lien-ket/", vneid.vneid_link, name="vneid_link"),
]
