"""Account pages: register by SMS, log in by SMS code, reset a password by SMS, verify identity.

Each page is two steps without JavaScript: the phone number (a code is sent), then the code. The
phone number of the second step is kept in the session, so a refreshed page keeps it.
"""

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from applications.accounts import services as accounts
from applications.accounts.forms import CodeAndPasswordForm, CodeForm, IdentityForm, PhoneForm
from applications.models import SmsPurpose
from gongzufang.errors import PortalError

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


def _session_key(purpose):
    return f"applications.sms_phone.{purpose}"


def _send_step(request, purpose, *, want_account: bool):
    """Step 1: validate the phone and send a code. Returns (sent, the bound form)."""
    form = PhoneForm(request.POST)
    if form.is_valid():
        phone = form.cleaned_data["phone"]
        exists = accounts.account_for_phone(phone) is not None
        if want_account and not exists:
            form.add_error("phone", "该手机号尚未注册。请先注册，或到街道受理窗口办理。")
        elif not want_account and exists:
            form.add_error("phone", "该手机号已注册，请直接登录；忘记密码可通过短信找回。")
        else:
            try:
                accounts.sms_code_send(phone=phone, purpose=purpose, ip_address=_client_ip(request))
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                request.session[_session_key(purpose)] = phone
                messages.info(request, f"验证码已发送至 {phone}，5 分钟内有效。")
                return True, form
    return False, form


def _resend(request, purpose):
    phone = request.session.get(_session_key(purpose))
    if phone:
        try:
            accounts.sms_code_send(phone=phone, purpose=purpose, ip_address=_client_ip(request))
            messages.info(request, f"验证码已重新发送至 {phone}。")
        except PortalError as exc:
            messages.error(request, exc.message)


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("applications:apply_home")
    form = PhoneForm()
    if request.method == "POST":
        sent, form = _send_step(request, SmsPurpose.REGISTER, want_account=False)
        if sent:
            return redirect("applications:register_confirm")
    return render(request, "applications/accounts/register.html", {"form": form})


@require_http_methods(["GET", "POST"])
def register_confirm(request):
    phone = request.session.get(_session_key(SmsPurpose.REGISTER))
    if not phone:
        return redirect("applications:register")
    form = CodeAndPasswordForm(phone=phone)
    if request.method == "POST":
        if "resend" in request.POST:
            _resend(request, SmsPurpose.REGISTER)
            return redirect("applications:register_confirm")
        form = CodeAndPasswordForm(request.POST, phone=phone)
        if form.is_valid():
            try:
                user = accounts.applicant_register(phone=phone, code=form.cleaned_data["code"],
                                                   password=form.cleaned_data["password1"])
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                request.session.pop(_session_key(SmsPurpose.REGISTER), None)
                login(request, user, backend=MODEL_BACKEND)
                messages.success(request, "注册成功。请完成实名认证后再申请。")
                return redirect("applications:verify")
    return render(request, "applications/accounts/register_confirm.html", {"form": form, "phone": phone})


@require_http_methods(["GET", "POST"])
def login_sms(request):
    form = PhoneForm()
    if request.method == "POST":
        sent, form = _send_step(request, SmsPurpose.LOGIN, want_account=True)
        if sent:
            return redirect(_with_next(reverse("applications:login_sms_confirm"), request))
    return render(request, "applications/accounts/login_sms.html", {"form": form, "next": _next(request)})


@require_http_methods(["GET", "POST"])
def login_sms_confirm(request):
    phone = request.session.get(_session_key(SmsPurpose.LOGIN))
    if not phone:
        return redirect("applications:login_sms")
    form = CodeForm()
    if request.method == "POST":
        if "resend" in request.POST:
            _resend(request, SmsPurpose.LOGIN)
            return redirect(_with_next(reverse("applications:login_sms_confirm"), request))
        form = CodeForm(request.POST)
        if form.is_valid():
            # Through authenticate() so django-axes counts failures and locks out.
            user = authenticate(request, username=phone, sms_code=form.cleaned_data["code"])
            if user is not None:
                request.session.pop(_session_key(SmsPurpose.LOGIN), None)
                login(request, user)
                return redirect(_next(request) or "applications:apply_home")
            form.add_error("code", getattr(request, "sms_login_error", "验证码不正确。"))
    return render(request, "applications/accounts/login_sms_confirm.html",
                  {"form": form, "phone": phone, "next": _next(request)})


@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = PhoneForm(initial={"phone": request.GET.get("phone", "")})
    if request.method == "POST":
        sent, form = _send_step(request, SmsPurpose.RESET, want_account=True)
        if sent:
            return redirect("applications:password_reset_confirm")
    return render(request, "applications/accounts/password_reset.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_confirm(request):
    phone = request.session.get(_session_key(SmsPurpose.RESET))
    if not phone:
        return redirect("applications:password_reset")
    form = CodeAndPasswordForm(phone=phone)
    if request.method == "POST":
        if "resend" in request.POST:
            _resend(request, SmsPurpose.RESET)
            return redirect("applications:password_reset_confirm")
        form = CodeAndPasswordForm(request.POST, phone=phone)
        if form.is_valid():
            try:
                accounts.password_reset(phone=phone, code=form.cleaned_data["code"],
                                        password=form.cleaned_data["password1"])
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                request.session.pop(_session_key(SmsPurpose.RESET), None)
                messages.success(request, "密码已设置，请用手机号和新密码登录。")
                return redirect("login")
    return render(request, "applications/accounts/password_reset_confirm.html", {"form": form, "phone": phone})


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    user = request.user
    if user.id_verified_at:
        return redirect("applications:apply_home")
    form = IdentityForm()
    duplicate = None
    if request.method == "POST":
        form = IdentityForm(request.POST)
        if form.is_valid():
            try:
                accounts.applicant_verify_identity(user=user, name=form.cleaned_data["name"],
                                                   id_number=form.cleaned_data["id_number"])
            except accounts.DuplicateIdentity as exc:
                duplicate = exc
                form.add_portal_error(exc)
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                messages.success(request, "实名认证成功。")
                return redirect("applications:apply_home")
    return render(request, "applications/accounts/verify.html", {"form": form, "duplicate": duplicate})


def _next(request):
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return ""


def _with_next(url, request):
    from urllib.parse import urlencode

    target = _next(request)
    return f"{url}?{urlencode({'next': target})}" if target else url
