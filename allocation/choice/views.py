"""The applicant's choice pages (选房): the window and the free units that fit, one unit's confirmation
with the SMS code, and the offer page (sign-by date, refuse with confirmation). Thin: selectors and
services do the work; a refusal from a service is shown in Chinese next to the form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from gongzufang.errors import PortalError
from gongzufang.parameters import param
from housing.models import Unit

from . import selectors, services
from .forms import ChooseForm, RefuseForm


def _window_context(round_entry):
    live = selectors.live_offer_of(round_entry)
    return {
        "re": round_entry, "round": round_entry.round, "state": services.window_state(round_entry),
        "is_open": services.window_open(round_entry), "live_offer": live,
    }


@login_required
@require_http_methods(["GET"])
def choice(request, pk):
    round_entry = selectors.round_entry_for_applicant(request.user, pk)
    context = _window_context(round_entry)
    units = selectors.units_left(round_entry) if context["is_open"] and not context["live_offer"] else []
    context.update(units=units, left=len(units), max_bedrooms=round_entry.entry.max_bedrooms)
    return render(request, "allocation/choice/choice.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def choose_unit(request, pk, unit_pk):
    round_entry = selectors.round_entry_for_applicant(request.user, pk)
    unit = Unit.objects.select_related("estate", "building").filter(pk=unit_pk).first()
    if unit is None or not unit.round_units.filter(round_id=round_entry.round_id).exists():
        raise Http404("未找到该房屋。")
    live = selectors.live_offer_of(round_entry)
    if live is not None:
        # A second press after the choice went through (double click, back button) lands on the offer.
        if live.unit_id == unit.pk:
            messages.info(request, "您已选定该房屋。")
        return redirect("allocation:offer", live.pk)
    form = ChooseForm()
    if request.method == "POST":
        if request.POST.get("action") == "code":
            try:
                services.choice_code_send(round_entry=round_entry, user=request.user)
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                messages.success(request, f"验证码已发送至 {services.masked_phone_of(round_entry)}，5 分钟内有效。")
                return redirect(request.path)
        else:
            form = ChooseForm(request.POST)
            if form.is_valid():
                try:
                    offer = services.offer_choose(round_entry=round_entry, unit=unit, actor=request.user,
                                                  sms_code=form.cleaned_data["sms_code"])
                except PortalError as exc:
                    again = selectors.live_offer_of(round_entry)
                    if again is not None and again.unit_id == unit.pk:
                        return redirect("allocation:offer", again.pk)
                    form.add_portal_error(exc)
                else:
                    messages.success(request, f"已选定 {unit}，请于 {offer.sign_by:%Y-%m-%d} 前签约。")
                    return redirect("allocation:offer", offer.pk)
    context = _window_context(round_entry)
    context.update(unit=unit, form=form, masked_phone=services.masked_phone_of(round_entry),
                   fits=unit.bedrooms <= round_entry.entry.max_bedrooms)
    return render(request, "allocation/choice/choose_unit.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def offer(request, pk):
    offer = selectors.offer_for_applicant(request.user, pk)
    district = offer.district_id
    form_kwargs = {"limit": param("allocation.refusals_before_suspension", district=district),
                   "months": param("allocation.suspension_months", district=district)}
    form = RefuseForm(**form_kwargs)
    if request.method == "POST":
        form = RefuseForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                services.offer_refuse(offer=offer, actor=request.user, reason=form.cleaned_data["reason"])
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                messages.info(request, f"您已放弃 {offer.unit}，已计入一次拒绝配租。")
                return redirect(reverse("allocation:offer", args=[offer.pk]))
    return render(request, "allocation/choice/offer.html", {
        "offer": offer, "form": form, "history": list(selectors.offer_history(offer)),
        "entry": offer.round_entry.entry, "re": offer.round_entry,
    })
