"""我的补贴: the applicant's grant, its computation line by line, every month's payment, the account
(masked); registering the market lease and the bank account (a change needs an SMS code)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from gongzufang.errors import PortalError
from gongzufang.parameters import param
from gongzufang.pii import mask_phone

from . import selectors, services
from .forms import AccountChangeForm, AccountForm, LeaseForm


@login_required
@require_GET
def home(request):
    grant = selectors.my_grant(request.user)
    context = {"grant": grant}
    if grant is not None:
        computation = selectors.current_computation(grant)
        context.update(
            computation=computation, lines=selectors.computation_lines(computation) if computation else (),
            lease=selectors.current_lease(grant), account=selectors.current_account(grant),
            payments=list(selectors.payments_of(grant)), missing=selectors.grant_readiness(grant),
            start_label=services.period_label(grant.start_period),
            batch_day=param("subsidy.batch_day", district=grant.district_id),
        )
    return render(request, "subsidies/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def lease(request):
    grant = selectors.require_grant(request.user)
    current = selectors.current_lease(grant)
    if request.method == "POST":
        form = LeaseForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.lease_register(grant=grant, actor=request.user, landlord_name=data["landlord_name"],
                                        address=data["address"], area=data.get("area"),
                                        monthly_rent=data["monthly_rent"], start_on=data["start_on"],
                                        end_on=data["end_on"], contract=data["contract"])
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                messages.success(request, "租赁合同已登记，补贴金额已按实际租金重新核算。")
                return redirect("subsidies:home")
    else:
        form = LeaseForm()
    return render(request, "subsidies/lease.html", {"form": form, "grant": grant, "current": current})


@login_required
@require_GET
def contract_file(request):
    """The applicant's current lease contract (private file; no id in the address)."""
    grant = selectors.require_grant(request.user)
    lease = selectors.current_lease(grant)
    if lease is None:
        raise Http404("尚未登记租赁合同。")
    return FileResponse(lease.contract.open("rb"), content_type="application/pdf", filename="租赁合同.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    grant = selectors.require_grant(request.user)
    current = selectors.current_account(grant)
    changing = current is not None
    form_class = AccountChangeForm if changing else AccountForm
    if request.method == "POST":
        form = form_class(request.POST)
        if changing and request.POST.get("action") == "send_code":
            form.is_valid()
            form.errors.clear()
            try:
                services.account_change_code_send(grant=grant, actor=request.user)
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                messages.success(request, f"验证码已发送至 {mask_phone(request.user.phone)}，5 分钟内有效。")
        elif form.is_valid():
            number = form.cleaned_data["account_no"]
            try:
                if changing:
                    services.account_change(grant=grant, actor=request.user, account_no=number,
                                            code=form.cleaned_data.get("code"))
                else:
                    services.account_register(grant=grant, actor=request.user, account_no=number)
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                messages.success(request, "银行账户已通过银行核验并登记。")
                return redirect("subsidies:home")
    else:
        form = form_class()
    return render(request, "subsidies/account.html", {
        "form": form, "grant": grant, "current": current, "changing": changing,
        "phone": mask_phone(request.user.phone or ""),
    })
