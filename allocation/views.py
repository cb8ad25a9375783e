"""The applicant's 我的轮候 page and the public round pages (配租方案公示, 摇号结果, draw.json, the verifier)."""

import json
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from applications.models import HousingType
from gongzufang.errors import PortalError

from . import selectors, services
from .models import AllocationRound, WaitlistEntry
from .services import group_label

VERIFIER = Path(settings.BASE_DIR) / "static" / "allocation" / "verify_lottery.py"


@login_required
@require_GET
def my_waitlist(request):
    entry = selectors.entry_of_applicant(request.user)
    context = {"entry": entry}
    if entry is not None:
        context.update(
            position=selectors.position_of(entry), group=group_label(entry.priority_group),
            history=list(selectors.entry_history(entry)), waiting_days=selectors.waiting_days(entry),
            rounds=list(selectors.entry_round_entries(entry)),
        )
    return render(request, "allocation/my_waitlist.html", context)


@require_GET
def round_list(request):
    return render(request, "allocation/round_list.html", {"rounds": list(selectors.public_rounds())})


def _round_or_404(pk) -> AllocationRound:
    round_ = selectors.public_round_or_none(pk)
    if round_ is None:
        raise Http404("未找到该配租方案。")
    return round_


@require_GET
def round_detail(request, pk):
    round_ = _round_or_404(pk)
    document = selectors.draw_document(round_)
    return render(request, "allocation/round_detail.html", {
        "round": round_, "document": document, "rows": selectors.round_pool_rows(round_),
        "drawn": document["secret"] is not None, "units": round_.units.select_related("unit__estate", "unit__building"),
    })


@require_GET
def draw_json(request, pk):
    round_ = _round_or_404(pk)
    body = json.dumps(selectors.draw_document(round_), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="draw-{round_.pk}.json"'
    return response


@require_GET
def verifier(request):
    response = FileResponse(VERIFIER.open("rb"), content_type="text/x-python; charset=utf-8", as_attachment=True,
                            filename="verify_lottery.py")
    return response


class ChangeForm(forms.Form):
    """变更申报: each member's monthly income, who has left, the housing now."""

    housing_type = forms.ChoiceField(label="现住房类型", choices=HousingType.choices)
    housing_area = forms.DecimalField(label="现住房建筑面积（㎡）", min_value=0, max_value=10000, decimal_places=2,
                                      required=False)
    note = forms.CharField(label="其他说明", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for m in self.members:
            self.fields[f"income_{m.pk}"] = forms.DecimalField(
                label=f"{m.name}（{m.get_relationship_display()}）月收入（元）", min_value=0, max_digits=10,
                decimal_places=2, initial=m.monthly_income)
            if m.relationship != "self":
                self.fields[f"left_{m.pk}"] = forms.BooleanField(label=f"{m.name}已迁出（不再共同生活）", required=False)


@login_required
@require_http_methods(["GET", "POST"])
def declare_change(request):
    entry = selectors.entry_of_applicant(request.user)
    if entry is None or entry.status not in (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.SUSPENDED):
        raise Http404("您目前没有轮候中的记录。")
    app = entry.application
    members = list(app.household.members.order_by("sort_order", "pk"))
    initial = {"housing_type": app.housing_type, "housing_area": app.housing_area}
    form = ChangeForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _entry, failed = services.entry_declare_change(
                entry=entry, actor=request.user,
                incomes={m.pk: data[f"income_{m.pk}"] for m in members},
                leaving=[m.pk for m in members if data.get(f"left_{m.pk}")],
                housing_type=data["housing_type"], housing_area=data.get("housing_area"), note=data.get("note", ""))
        except PortalError as exc:
            form.add_error(None, exc.message)
        else:
            if failed:
                return render(request, "allocation/change_result.html", {"failed": failed, "entry": entry})
            messages.success(request, "变更已申报。按现行标准重新审核，您仍符合条件，轮候继续。")
            return redirect("allocation:my_waitlist")
    return render(request, "allocation/change.html", {"form": form, "entry": entry})
