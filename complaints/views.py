"""The person's feedback pages: submit an item, follow it, read the reply, rate the service."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzufang.errors import PortalError
from gongzufang.parameters import param
from housing import selectors as housing_selectors

from . import selectors, services
from .forms import FeedbackForm, RatingForm
from .models import ANSWERED_STATUSES, RatedService


@require_GET
def home(request):
    context = {"items": [], "awaiting": [], "reply_workdays": param("feedback.reply_workdays")}
    if request.user.is_authenticated:
        context["items"] = list(selectors.my_feedback(request.user))
        context["awaiting"] = selectors.decisions_awaiting_rating(request.user)
    return render(request, "complaints/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def new(request):
    if request.method == "POST":
        form = FeedbackForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                item, created = services.feedback_submit(
                    submitter=request.user, kind=data["kind"], category=data["category"], text=data["text"],
                    district=data.get("district"), estate=data.get("estate"), unit=data.get("unit"),
                    application=data.get("application"), anonymous=data.get("anonymous"),
                    photos=data.get("photos") or [], token=data["token"],
                )
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                if created:
                    messages.success(request, f"已提交，编号 {item.number}。我们将于答复期限前答复您。")
                return redirect("complaints:detail", item.pk)
    else:
        form = FeedbackForm(initial=_initial(request), user=request.user)
    return render(request, "complaints/new.html", {"form": form})


def _initial(request):
    """A fresh form token, and what a link from a unit, estate or application page names."""
    initial = {"token": uuid.uuid4()}
    try:
        if request.GET.get("unit"):
            unit = housing_selectors.unit_in_public_estate(int(request.GET["unit"]))
            if unit:
                initial.update(estate=unit.estate_id, unit_number=f"{unit.building.name}{unit.number}")
        elif request.GET.get("estate"):
            estate = housing_selectors.public_estate(int(request.GET["estate"]))
            if estate:
                initial["estate"] = estate.pk
        if request.GET.get("application"):
            initial["application"] = int(request.GET["application"])
    except ValueError:
        pass
    if request.GET.get("kind") in dict(FeedbackForm.base_fields["kind"].choices):
        initial["kind"] = request.GET["kind"]
    return initial


@login_required
@require_GET
def detail(request, pk):
    item = selectors.my_feedback_or_404(request.user, pk)
    rating = selectors.rating_of(request.user, item)
    can_rate = item.status in ANSWERED_STATUSES and rating is None
    return render(request, "complaints/detail.html", {
        "item": item, "photos": list(item.photos.all()),
        "timeline": list(item.status_changes.all()),
        "rating": rating, "rating_form": RatingForm() if can_rate else None,
    })


@login_required
@require_POST
def rate_feedback(request, pk):
    item = selectors.my_feedback_or_404(request.user, pk)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.service_rating_submit(rater=request.user, service=services.rating_service_for(item), subject=item,
                                           score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except PortalError as exc:
            if exc.code != "already_rated":
                form.add_portal_error(exc)
            else:
                messages.error(request, exc.message)
                return redirect("complaints:detail", item.pk)
        else:
            messages.success(request, "感谢您的评价。")
            return redirect("complaints:detail", item.pk)
    return render(request, "complaints/detail.html", {
        "item": item, "photos": list(item.photos.all()), "timeline": list(item.status_changes.all()),
        "rating": selectors.rating_of(request.user, item), "rating_form": form,
    }, status=400)


@login_required
@require_POST
def close(request, pk):
    item = selectors.my_feedback_or_404(request.user, pk)
    try:
        services.feedback_close(feedback=item, actor=request.user)
    except PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已确认办结。")
    return redirect("complaints:detail", item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def rate_service(request, service, pk):
    """Rate a key service (a decision; lease signing once registered) of the person's own."""
    rateable = services.RATEABLE.get(service)
    if rateable is None or service in (RatedService.FEEDBACK_REPLY, RatedService.REPAIR):
        raise Http404
    subject = rateable.model.objects.filter(pk=pk).first()
    if subject is None:
        raise Http404
    try:
        rateable.check(request.user, subject)
    except PortalError as exc:
        if exc.code == "not_owner":
            raise Http404 from None
        messages.error(request, exc.message)
        return redirect("complaints:home")
    if selectors.rating_of(request.user, subject):
        messages.info(request, "您已评价过该服务。")
        return redirect("complaints:home")
    form = RatingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.service_rating_submit(rater=request.user, service=service, subject=subject,
                                           score=form.cleaned_data["score"], comment=form.cleaned_data["comment"])
        except PortalError as exc:
            form.add_portal_error(exc)
        else:
            messages.success(request, "感谢您的评价。")
            return redirect("complaints:home")
    return render(request, "complaints/rate.html", {
        "form": form, "service_label": RatedService(service).label, "subject": subject,
    }, status=400 if form.errors else 200)


@login_required
@require_GET
def photo_file(request, pk):
    """The one way a feedback photo leaves the server: its submitter, or a caseworker in scope."""
    photo = selectors.photo_for_user_or_404(request.user, pk)
    try:
        handle = photo.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type, as_attachment=False)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
