"""Public notice (公示) pages: the list of applications on notice today and one application's notice
with the objection form. Open to everyone, no log-in. Names and ID numbers are shown masked only."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from applications.review import notice
from applications.review import selectors as notice_selectors
from applications.selectors import staff_application_or_404
from gongzufang.client_ip import client_ip
from gongzufang.errors import PortalError
from gongzufang.formkit import PortalForm
from gongzufang.models import District

PER_PAGE = 20


class NoticeSearchForm(forms.Form):
    q = forms.CharField(label="申请编号", max_length=24, required=False)
    district = forms.ChoiceField(label="区县", required=False)

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = [("", "全部区县")] + [(d.code, d.name) for d in districts]


class ObjectionForm(PortalForm):
    token = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(label="异议人", max_length=notice.NAME_MAX,
                           help_text="个人姓名或单位名称。", error_messages={"required": "请填写异议人姓名或单位名称。",
                                                               "max_length": f"异议人姓名不能超过 {notice.NAME_MAX} 个字。"})
    contact = forms.CharField(label="联系方式", max_length=notice.CONTACT_MAX,
                              help_text="手机号、带区号的固定电话或电子邮箱，仅用于核查和反馈结果，不会公开。",
                              error_messages={"required": "请填写联系方式（手机、固定电话或电子邮箱），以便我们向您反馈核查结果。",
                                              "max_length": f"联系方式不能超过 {notice.CONTACT_MAX} 个字符。"})
    text = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=f"请写明异议的事实和理由，{notice.TEXT_MIN}–{notice.TEXT_MAX} 字。",
                           error_messages={"required": "请填写异议内容。"})


@require_GET
def notice_list(request):
    districts = list(District.objects.order_by("sort_order", "code"))
    form = NoticeSearchForm(request.GET or None, districts=districts)
    number = district = ""
    if form.is_valid():
        number, district = form.cleaned_data["q"], form.cleaned_data["district"]
    page = Paginator(notice_selectors.search_on_notice(number=number, district_code=district), PER_PAGE).get_page(
        request.GET.get("page"))
    query = "&".join(f"{k}={v}" for k, v in (("q", number), ("district", district)) if v)
    return render(request, "applications/notice/list.html", {
        "form": form, "page": page, "entries": [notice_selectors.notice_entry(a) for a in page],
        "query": query, "today": timezone.localdate(),
        "starting_later": notice_selectors.notice_starting_later(),
    })


@require_http_methods(["GET", "POST"])
def notice_detail(request, number):
    application = notice_selectors.notice_application_or_404(number)
    today = timezone.localdate()
    is_open = notice.notice_open_on(application, today)
    status = 200
    form = None
    if is_open:
        form = ObjectionForm(request.POST if request.method == "POST" else None, initial={"token": uuid.uuid4()})
    if request.method == "POST":
        if not is_open:
            messages.error(request, _closed_message(application, today))
            status = 409
        elif form.is_valid():
            data = form.cleaned_data
            try:
                objection = notice.objection_submit(application=application, name=data["name"],
                                                    contact=data["contact"], text=data["text"], token=data["token"],
                                                    ip_address=client_ip(request))
            except PortalError as exc:
                form.add_portal_error(exc)
                status = 429 if exc.code == "throttled" else (409 if exc.code == "notice_closed" else 400)
            else:
                messages.success(request, f"您的异议已提交，受理编号 {objection.reference}，请妥善保存以便查询。"
                                          "经办人将在公示期结束前核查，并通过您留下的联系方式反馈结果。")
                return redirect("applications:notice_detail", application.number)
        else:
            status = 400
    on_notice = application.status == "public_notice"
    return render(request, "applications/notice/detail.html", {
        "application": application, "form": form, "is_open": is_open,
        # After the notice the applicant's (masked) details are no longer published.
        "entry": notice_selectors.notice_entry(application) if on_notice else None,
        "closed_message": None if is_open else _closed_message(application, today),
    }, status=status)


def _closed_message(application, today) -> str:
    if application.status == "public_notice" and application.notice_starts_on and today < application.notice_starts_on:
        return f"公示将于 {application.notice_starts_on:%Y年%-m月%-d日} 开始，开始后方可提出异议。"
    ended = application.notice_ends_on
    when = f"已于 {ended:%Y年%-m月%-d日} 结束" if ended else "已结束"
    return f"该申请的公示期{when}，不再受理异议。如有问题，请拨打 12345 政务服务便民热线。"


@login_required
@require_GET
def review_form(request, pk):
    """The printable review form (审核表) of an application in the caseworker's area; anyone else 404."""
    from applications.review.review_form import review_form_pdf

    if not getattr(request.user, "is_caseworker", False) or not request.user.has_perm("applications.view_application"):
        raise Http404
    application = staff_application_or_404(request.user, pk)
    response = HttpResponse(review_form_pdf(application), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="review-form-{application.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
