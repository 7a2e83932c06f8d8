"""Sign-in pages for AUTH_BACKEND=cognito: e-mail and password against the user pool, the first
sign-in's new password, optional MFA, and password reset by e-mailed code. The Django session is
created from the verified ID token."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from awsomeshop.api import error_body
from awsomeshop.exceptions import ShopError
from awsomeshop.text import number

from . import cognito, services
from .backends import CognitoChallenge, user_for_tokens
from .forms import CognitoSignInForm, MfaForm, NewPasswordForm, PasswordResetConfirmForm, PasswordResetForm, SignInForm
from .languages import language_supported
from .throttles import sign_in_throttled

CHALLENGE_KEY = "cognito_challenge"
local_sign_in = auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True)
RESET_EMAIL_KEY = "cognito_reset_email"
CHALLENGE_PAGES = {"NEW_PASSWORD_REQUIRED": "new_password", "SOFTWARE_TOKEN_MFA": "mfa"}


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _page(request: HttpRequest, *, title: str, intro: str, form, submit: str, extra_link=None) -> HttpResponse:
    context = {"title": title, "intro": intro, "form": form, "submit": submit, "extra_link": extra_link}
    return render(request, "accounts/form_page.html", context)


def _challenge_or_signed_in(request: HttpRequest, result: cognito.SignInResult, next_url: str) -> HttpResponse:
    """The page for the challenge Cognito asks us to answer, or (with tokens) the signed-in user."""
    if result.challenge:
        if result.challenge not in CHALLENGE_PAGES:
            messages.error(request, _("This account needs a sign-in step the portal does not support; contact HR."))
            return redirect("login")
        request.session[CHALLENGE_KEY] = {"session": result.session, "username": result.username, "next": next_url}
        return redirect(CHALLENGE_PAGES[result.challenge])
    return _log_in(request, user_for_tokens(result), next_url)


def _log_in(request: HttpRequest, user, next_url: str) -> HttpResponse:
    if not user.is_active:
        messages.error(request, _("This account is disabled."))
        return redirect("login")
    request.session.pop(CHALLENGE_KEY, None)
    login(request, user, backend="accounts.backends.CognitoBackend")
    return redirect(next_url)


@sign_in_throttled
@sensitive_post_parameters()
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    if settings.AUTH_BACKEND != "cognito":
        return local_sign_in(request)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url)
    form = CognitoSignInForm(request.POST or None)
    if form.is_valid():
        try:
            user = authenticate(request, username=form.cleaned_data["username"], password=form.cleaned_data["password"])
        except CognitoChallenge as challenge:
            return _challenge_or_signed_in(request, challenge.result, next_url)
        except ShopError as refusal:
            form.add_error(None, refusal.message)
        else:
            if user is not None:
                return _log_in(request, user, next_url)
            form.add_error(None, str(cognito.FRIENDLY_ERRORS["NotAuthorizedException"]))
    return render(request, "registration/login.html", {"form": form, "next": next_url, "cognito": True})


def _challenge_page(request: HttpRequest, *, form_class, answer, title: str, intro: str, submit: str) -> HttpResponse:
    challenge = request.session.get(CHALLENGE_KEY)
    if not challenge:
        messages.error(request, _("That sign-in has expired; please sign in again."))
        return redirect("login")
    form = form_class(request.POST or None)
    if form.is_valid():
        try:
            return _challenge_or_signed_in(request, answer(challenge, form.cleaned_data), challenge["next"])
        except ShopError as refusal:
            form.add_error(None, refusal.message)
    return _page(request, title=title, intro=intro, form=form, submit=submit)


@sign_in_throttled
@sensitive_post_parameters()
@never_cache
def new_password(request: HttpRequest) -> HttpResponse:
    def answer(challenge, data):
        return cognito.new_password_set(
            username=challenge["username"], session=challenge["session"], new_password=data["password1"]
        )

    intro = _("Welcome! This is your first sign-in: choose your own password to replace the temporary one.")
    return _challenge_page(
        request,
        form_class=NewPasswordForm,
        answer=answer,
        title=_("Choose your password"),
        intro=intro,
        submit=_("Save and sign in"),
    )


@sign_in_throttled
@never_cache
def mfa(request: HttpRequest) -> HttpResponse:
    def answer(challenge, data):
        return cognito.mfa_code_answer(username=challenge["username"], session=challenge["session"], code=data["code"])

    return _challenge_page(
        request, form_class=MfaForm, answer=answer, title=_("Two-step sign-in"), intro="", submit=_("Sign in")
    )


@sign_in_throttled
@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetForm(request.POST or None)
    if form.is_valid():
        email = form.cleaned_data["email"].lower()
        try:
            cognito.password_reset_start(email=email)
        except cognito.CognitoError as refusal:
            # Say the same for unknown addresses, so the page does not reveal who has an account.
            if refusal.details.get("cognito_code") not in ("UserNotFoundException", "InvalidParameterException"):
                form.add_error(None, refusal.message)
                return _reset_page(request, form)
        request.session[RESET_EMAIL_KEY] = email
        messages.info(request, _("If %(email)s has an account, we have e-mailed it a code.") % {"email": email})
        return redirect("password_reset_confirm")
    return _reset_page(request, form)


def _reset_page(request: HttpRequest, form) -> HttpResponse:
    intro = _("Enter your e-mail address and we will send you a code to choose a new password.")
    return _page(request, title=_("Forgot your password?"), intro=intro, form=form, submit=_("Send the code"))


@sign_in_throttled
@sensitive_post_parameters()
@never_cache
def password_reset_confirm(request: HttpRequest) -> HttpResponse:
    email = request.session.get(RESET_EMAIL_KEY)
    if not email:
        return redirect("password_reset")
    form = PasswordResetConfirmForm(request.POST or None)
    if form.is_valid():
        try:
            cognito.password_reset_finish(
                email=email, code=form.cleaned_data["code"], new_password=form.cleaned_data["password1"]
            )
        except ShopError as refusal:
            form.add_error(None, refusal.message)
        else:
            request.session.pop(RESET_EMAIL_KEY, None)
            messages.success(request, _("Your password is changed. Sign in with it now."))
            return redirect("login")
    return _page(
        request,
        title=_("Choose a new password"),
        intro=_("We sent a code to %(email)s.") % {"email": email},
        form=form,
        submit=_("Change password"),
    )


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes calls this after too many failed sign-ins (portal, admin or API)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = ngettext(
        "Too many failed sign-in attempts. For your security, wait %(minutes)s minute and try again.",
        "Too many failed sign-in attempts. For your security, wait %(minutes)s minutes and try again.",
        minutes,
    ) % {"minutes": number(minutes)}
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="locked_out", message=message), status=429)
    return render(request, "accounts/locked_out.html", {"message": message}, status=429)


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The footer's language choice, back to the page it was made on: a cookie for everyone, and for
    a signed-in person their own setting, which their e-mails follow too. "" goes back to the
    browser's language; a language we do not have changes nothing."""
    response = redirect(_safe_next(request, request.POST.get("next") or request.headers.get("referer")))
    language = language_supported(request.POST.get("language", ""))
    if language is None:
        return response
    if request.user.is_authenticated:
        services.user_language_set(user=request.user, language=language)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN
        )
    return response
