"""Account pages anyone reaches: a resident's self-registration, choosing one's password (after a one-time code),
and the password reset by e-mail (Django's views with the product's templates, each request counted and audited).
None of them tells whether a phone number, a person or an e-mail address is known."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from hocvuso.accounts.access import public, signed_in
from hocvuso.accounts.administration import count_public_attempt, set_own_password
from hocvuso.core.errors import DomainError
from hocvuso.core.services import record_audit
from hocvuso.people.account_services import register_learner

from .. import signin
from .forms import ChosenPasswordForm, EmailPasswordResetForm, OwnPasswordForm, RegistrationForm


@public
@require_http_methods(["GET", "POST"])
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """A resident's self-registration. Every accepted request gets the same answer (a page that says to sign in
    with the number and the password just chosen), whether the number had an account or the person is known."""
    if request.user.is_authenticated:
        return redirect("web:home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            register_learner(
                phone=data["phone"],
                full_name=data["full_name"],
                birth_date=data["birth_date"],
                password=data["password1"],
                ip_address=signin.client_address(request),
            )
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error.message))
        else:
            return render(request, "web/accounts/registered.html")
    return render(request, "web/accounts/register.html", {"form": form})


@signed_in
@require_http_methods(["GET", "POST"])
@never_cache
def set_password(request: HttpRequest) -> HttpResponse:
    """Choose one's own password: required after signing in with a one-time code (the middleware sends the user
    here first), open at any time. The session stays signed in; the account's other sessions end."""
    form = OwnPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = set_own_password(user=request.user, password=form.cleaned_data["password1"])  # type: ignore[arg-type]
        except DomainError as error:
            form.add_error("password1", str(error.message))
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Đã lưu mật khẩu mới."))
            return redirect("web:home")
    context = {"form": form, "required": getattr(request.user, "must_set_password", False)}
    return render(request, "web/accounts/set_password.html", context)


class _PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, counted like a sign-in (per address and per client) and audited; the answer is
    the same page whether or not an account has the address."""

    form_class = EmailPasswordResetForm
    template_name = "web/accounts/password_reset.html"
    email_template_name = "web/accounts/password_reset_email.txt"
    subject_template_name = "web/accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> Any:
        email = form.cleaned_data["email"].strip().lower()
        try:
            count_public_attempt(purpose="quen-mat-khau", key=email, ip_address=signin.client_address(self.request))
        except DomainError as error:
            form.add_error(None, str(error.message))
            return self.form_invalid(form)
        record_audit(
            actor=None,
            action="accounts.password_reset_requested",
            object_type="accounts.user",
            object_label=email.split("@")[-1][:150],
        )
        return super().form_valid(form)


class _PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ChosenPasswordForm
    template_name = "web/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False  # the user signs in through the sign-in page: its throttling and second factor


password_reset = public(_PasswordResetView.as_view())
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="web/accounts/password_reset_done.html")
)
password_reset_confirm = public(_PasswordResetConfirmView.as_view())
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="web/accounts/password_reset_complete.html")
)
