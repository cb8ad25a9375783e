"""The household's pages: 我的年审 (declare 无变化 in one step, or changes), the outcome, the exit case
with its 陈述申辩, and the tenant's 退租申请."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from gongzufang.errors import PortalError

from . import selectors, services
from .forms import DeclarationForm, ExitApplyForm, RefundAccountForm, StatementForm
from .models import ExitStatus, ReviewStatus


@login_required
@require_GET
def my_reviews(request):
    return render(request, "tenancy/my_reviews.html", {
        "reviews": selectors.my_reviews(request.user), "cases": selectors.my_exit_cases(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def review(request, pk):
    review = selectors.my_review_or_404(request.user, pk)
    can_declare = review.status in (ReviewStatus.OPENED, ReviewStatus.OVERDUE)
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and can_declare and form.is_valid():
        data = form.cleaned_data
        try:
            services.review_declare(review=review, actor=request.user, no_change=data["no_change"],
                                    consent=data["consent"],
                                    changes={k: data.get(k) for k in ("members", "income", "housing", "vehicles")})
        except PortalError as exc:
            form.add_portal_error(exc)
        else:
            messages.success(request, "已提交年审申报，我们将重新核验家庭信息后告知您结论。")
            return redirect("tenancy:review", review.pk)
    timeline = review.status_changes.order_by("created_at", "id")
    return render(request, "tenancy/review.html", {"review": review, "form": form, "can_declare": can_declare,
                                                   "timeline": timeline})


@login_required
@require_http_methods(["GET", "POST"])
def exit_case(request, pk):
    case = selectors.my_exit_or_404(request.user, pk)
    giving_account = request.method == "POST" and "account_no" in request.POST
    form = StatementForm(request.POST if request.method == "POST" and not giving_account else None)
    account_form = RefundAccountForm(request.POST if giving_account else None)
    if giving_account and account_form.is_valid():
        try:
            services.exit_refund_account(case=case, actor=request.user, **account_form.cleaned_data)
        except PortalError as exc:
            account_form.add_portal_error(exc)
        else:
            messages.success(request, "已保存押金退款账户，押金结算后将退至该账户。")
            return redirect("tenancy:exit", case.pk)
    elif request.method == "POST" and not giving_account and form.is_valid():
        try:
            services.exit_state_case(case=case, actor=request.user, text=form.cleaned_data["statement"])
        except PortalError as exc:
            form.add_portal_error(exc)
        else:
            messages.success(request, "已提交陈述申辩意见。")
            return redirect("tenancy:exit", case.pk)
    can_state = case.status == ExitStatus.STATEMENT and not case.statement_at
    can_give_account = bool(case.lease_id) and case.settled_at is None and case.status not in (
        ExitStatus.CLOSED, ExitStatus.WITHDRAWN)
    return render(request, "tenancy/exit.html", {"case": case, "form": form, "can_state": can_state,
                                                 "account_form": account_form, "can_give_account": can_give_account,
                                                 "refund": services.exit_refund(case),
                                                 "timeline": case.status_changes.order_by("created_at", "id"),
                                                 "deductions": case.deductions.all()})


@login_required
@require_http_methods(["GET", "POST"])
def exit_apply(request, lease_pk):
    from rent.leases.selectors import leases_of

    lease = leases_of(request.user).filter(pk=lease_pk).first()
    if lease is None:
        raise Http404("未找到该租赁合同。")
    form = ExitApplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.exit_apply(lease=lease, actor=request.user, reason=form.cleaned_data["reason"])
        except PortalError as exc:
            form.add_portal_error(exc)
        else:
            messages.success(request, f"退租申请已提交，编号 {case.number}。")
            return redirect("tenancy:exit", case.pk)
    return render(request, "tenancy/exit_apply.html", {"lease": lease, "form": form})
