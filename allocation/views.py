"""The applicant's 我的轮候 page and the public round pages (配租方案公示, 摇号结果, draw.json, the verifier)."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .models import AllocationRound
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
