"""The applicant's pages: start, the wizard (saved at every step), materials, submit, progress,
withdrawal, files and the message centre. Each view parses input, calls one service, renders.

Every application look-up goes through `selectors.applicant_application_or_404`: another person's
application, like a missing one, is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications import selectors, services
from applications.apply import services as apply_services
from applications.apply.consent import CONSENT_TEXT, CONSENT_VERSION
from applications.apply.forms import (
    AssetsForm,
    AssistanceForm,
    ConsentForm,
    HousingForm,
    MaterialUploadForm,
    MemberForm,
    PlaceForm,
    PreferencesForm,
    RecheckForm,
    WithdrawForm,
)
from applications.eligibility.display import applicant_failed_conditions, applicant_reasons
from applications.models import Application, AssistanceType, HouseholdMember, Material, Relationship, Section, Status
from applications.review import services as review_workflow
from gongzufang.errors import PortalError
from gongzufang.parameters import MATERIAL_KINDS, param
from gongzufang.selectors.guide import choice_value
from notifications.selectors import unread_message_count

SECTION_URLS = {
    Section.ASSISTANCE: "applications:step_assistance",
    Section.MEMBERS: "applications:members",
    Section.HOUSING: "applications:step_housing",
    Section.ASSETS: "applications:step_assets",
    Section.PREFERENCES: "applications:step_preferences",
    Section.PLACE: "applications:step_place",
    Section.CONSENT: "applications:step_consent",
    Section.MATERIALS: "applications:materials",
}


def _section_url(application, section):
    return reverse(SECTION_URLS[section], args=[application.pk])


def _next_url(application, section):
    """After saving a section: the next section of the wizard, or the review page."""
    sections = [s for s, _label in selectors.wizard_sections(application)]
    if application.status == Status.DRAFT and section in sections:
        for later in sections[sections.index(section) + 1:]:
            return _section_url(application, later)
    return reverse("applications:review", args=[application.pk])


def _context(application, section, **extra):
    steps = [
        {"section": s, "label": label, "url": _section_url(application, s),
         "done": selectors.section_done(application, s), "current": s == section,
         "editable": selectors.can_edit(application, s)}
        for s, label in selectors.wizard_sections(application)
    ]
    return {"application": application, "steps": steps, "section": section,
            "correction": getattr(application, "correction", None)
            if application.status == Status.RETURNED_FOR_CORRECTION else None, **extra}


def _guard_editable(request, application, section):
    """None if the section may be edited now, else a redirect with the reason."""
    if selectors.can_edit(application, section):
        return None
    if application.status == Status.RETURNED_FOR_CORRECTION:
        messages.info(request, "此项不在补正清单中，不需要修改。")
        return redirect("applications:review", application.pk)
    messages.info(request, apply_services.NOT_EDITABLE)
    return redirect("applications:progress", application.pk)


# --- home and start ------------------------------------------------------------------------------


@require_GET
def apply_home(request):
    user = request.user
    context = {"applications": [], "can_start": False}
    if user.is_authenticated:
        apps = list(Application.objects.of_applicant(user).order_by("-created_at"))
        context["applications"] = apps
        context["can_start"] = (bool(user.id_verified_at) and getattr(user, "role", "") == "applicant"
                                and not any(a.status not in (Status.WITHDRAWN, Status.REJECTED) for a in apps))
        context["unread"] = unread_message_count(user)
    return render(request, "applications/apply_home.html", context)


@login_required
@require_POST
def apply_start(request):
    try:
        application = services.application_start(applicant=request.user)
    except PortalError as exc:
        messages.error(request, exc.message)
        if exc.code == "not_verified":
            return redirect("applications:verify")
        return redirect("applications:apply_home")
    section = selectors.first_open_section(application) or Section.ASSISTANCE
    return redirect(_section_url(application, section))


@login_required
@require_GET
def resume(request, pk):
    application = selectors.applicant_application_or_404(request.user, pk)
    if application.status != Status.DRAFT:
        return redirect("applications:progress", application.pk)
    section = selectors.first_open_section(application)
    return redirect(_section_url(application, section) if section else reverse("applications:review", args=[pk]))


# --- wizard sections -----------------------------------------------------------------------------


def _section_view(request, pk, section, *, form_class, initial, save, template, form_kwargs=None, extra=None):
    application = selectors.applicant_application_or_404(request.user, pk)
    blocked = _guard_editable(request, application, section)
    if blocked:
        return blocked
    kwargs = form_kwargs(application) if form_kwargs else {}
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                application = save(application, form.cleaned_data)
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                messages.success(request, "已保存。")
                return redirect(_next_url(application, section))
    else:
        form = form_class(initial=initial(application), **kwargs)
    context = _context(application, section, form=form, **(extra(application, form) if extra else {}))
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def step_assistance(request, pk):
    def initial(app):
        return {"choice": choice_value(app.assistance_type, app.category)} if app.category else {}

    def save(app, data):
        form_code, category = data["choice"]
        return apply_services.application_set_assistance(application=app, actor=request.user, assistance_type=form_code,
                                                   category=category)

    return _section_view(request, pk, Section.ASSISTANCE, form_class=AssistanceForm, initial=initial, save=save,
                         template="applications/wizard/assistance.html")


@login_required
@require_http_methods(["GET", "POST"])
def step_housing(request, pk):
    def initial(app):
        return {"housing_type": app.housing_type, "housing_area": app.housing_area,
                "housing_address": app.housing_address}

    def save(app, data):
        return apply_services.application_set_housing(application=app, actor=request.user, **data)

    return _section_view(request, pk, Section.HOUSING, form_class=HousingForm, initial=initial, save=save,
                         template="applications/wizard/form_step.html",
                         extra=lambda app, form: {"title": "现住房情况"})


@login_required
@require_http_methods(["GET", "POST"])
def step_assets(request, pk):
    fields = ["vehicle_count", "vehicle_value", "business_count", "business_capital", "assets_note"]

    def initial(app):
        data = {f: getattr(app, f) for f in fields}
        if Section.ASSETS in app.completed_sections:
            data["property_sold_recently"] = "yes" if app.property_sold_recently else "no"
        return data

    def save(app, data):
        return apply_services.application_set_assets(application=app, actor=request.user, **data)

    return _section_view(request, pk, Section.ASSETS, form_class=AssetsForm, initial=initial, save=save,
                         template="applications/wizard/form_step.html",
                         extra=lambda app, form: {"title": "家庭资产",
                                                  "intro": "请如实申报全体家庭成员的资产；将与车辆、市场监管、不动产等部门数据核对。"})


@login_required
@require_http_methods(["GET", "POST"])
def step_preferences(request, pk):
    application = selectors.applicant_application_or_404(request.user, pk)
    if application.assistance_type != AssistanceType.UNIT:
        messages.info(request, "租赁补贴不需要填写意向区域和户型。")
        return redirect(_next_url(application, Section.PREFERENCES))

    def initial(app):
        return {"districts": list(app.preferred_districts.all()), "bedrooms": app.preferred_bedrooms}

    def save(app, data):
        return apply_services.application_set_preferences(application=app, actor=request.user,
                                                    districts=data["districts"], bedrooms=data["bedrooms"])

    return _section_view(request, pk, Section.PREFERENCES, form_class=PreferencesForm, initial=initial, save=save,
                         template="applications/wizard/form_step.html",
                         form_kwargs=lambda app: {"bedroom_choices": selectors.bedroom_choices_for(app)},
                         extra=lambda app, form: {"title": "意向区域与户型"})


@login_required
@require_http_methods(["GET", "POST"])
def step_place(request, pk):
    def initial(app):
        return {"street": str(app.street_id or ""), "community": app.community_id}

    def save(app, data):
        return apply_services.application_set_place(application=app, actor=request.user, street=data["street"],
                                              community=data["community"])

    def extra(app, form):
        selected = form["community"].value()
        return {"community_groups": form.community_groups(), "selected_community": str(selected or "")}

    return _section_view(request, pk, Section.PLACE, form_class=PlaceForm, initial=initial, save=save,
                         template="applications/wizard/place.html", extra=extra)


@login_required
@require_http_methods(["GET", "POST"])
def step_consent(request, pk):
    def initial(app):
        return {"agree": bool(app.consent_at)}

    def save(app, data):
        return apply_services.application_give_consent(application=app, actor=request.user, agreed=data["agree"])

    return _section_view(request, pk, Section.CONSENT, form_class=ConsentForm, initial=initial, save=save,
                         template="applications/wizard/consent.html",
                         extra=lambda app, form: {"consent_text": CONSENT_TEXT, "consent_version": CONSENT_VERSION})


# --- members -------------------------------------------------------------------------------------


def _member_data(member):
    return {"relationship": member.relationship, "name": member.name, "id_number": member.id_number,
            "marital_status": member.marital_status, "employer": member.employer,
            "monthly_income": member.monthly_income, "disability": member.disability}


@login_required
@require_http_methods(["GET", "POST"])
def members(request, pk, member_pk=None):
    application = selectors.applicant_application_or_404(request.user, pk)
    blocked = _guard_editable(request, application, Section.MEMBERS)
    if blocked:
        return blocked
    household = application.household
    member = get_object_or_404(HouseholdMember, pk=member_pk, household=household) if member_pk else None
    is_self = member is not None and member.relationship == Relationship.SELF
    if request.method == "POST":
        form = MemberForm(request.POST, is_self=is_self, initial=_member_data(member) if member else None)
        if form.is_valid():
            data = form.cleaned_data
            try:
                apply_services.member_save(
                    application=application, actor=request.user, member=member,
                    relationship=data.get("relationship") or (member.relationship if member else ""),
                    name=data.get("name") or (member.name if member else ""),
                    id_number=data.get("id_number") or (member.id_number if member else ""),
                    marital_status=data["marital_status"], employer=data["employer"],
                    monthly_income=data["monthly_income"], disability=data["disability"],
                )
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                messages.success(request, "家庭成员已保存。")
                return redirect("applications:members", application.pk)
    else:
        form = MemberForm(initial=_member_data(member) if member else None, is_self=is_self)
    context = _context(application, Section.MEMBERS, form=form, editing=member,
                       members=list(household.members.all()))
    return render(request, "applications/wizard/members.html", context)


@login_required
@require_POST
def member_delete(request, pk, member_pk):
    application = selectors.applicant_application_or_404(request.user, pk)
    member = get_object_or_404(HouseholdMember, pk=member_pk, household=application.household)
    try:
        apply_services.member_remove(application=application, actor=request.user, member=member)
        messages.success(request, f"已删除家庭成员 {member.name}。")
    except PortalError as exc:
        messages.error(request, exc.message)
    return redirect("applications:members", application.pk)


# --- materials -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def materials(request, pk):
    application = selectors.applicant_application_or_404(request.user, pk)
    if application.status not in (Status.DRAFT, Status.RETURNED_FOR_CORRECTION):
        messages.info(request, apply_services.NOT_EDITABLE)
        return redirect("applications:progress", application.pk)
    if application.status == Status.RETURNED_FOR_CORRECTION and not any(
            s == Section.MATERIALS or s.startswith("material.") for s in application.correction.sections()):
        messages.info(request, "材料不在补正清单中，不需要修改。")
        return redirect("applications:review", application.pk)
    if not application.category:
        messages.info(request, "请先选择保障方式和类别，系统才能列出需要的材料。")
        return redirect("applications:step_assistance", application.pk)
    failed_kind, failed_form = None, None
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in MATERIAL_KINDS:
            raise Http404
        replaces = None
        if request.POST.get("replaces"):
            # A forged value (not a number, or another application's file) is simply not found.
            raw = request.POST["replaces"]
            replaces = (Material.objects.filter(pk=int(raw), application=application).first()
                        if raw.isdigit() else None)
            if replaces is None:
                raise Http404
        form = MaterialUploadForm(request.POST, request.FILES, prefix=kind)
        if form.is_valid():
            try:
                apply_services.material_upload(application=application, actor=request.user, kind=kind,
                                         upload=form.cleaned_data["file"], replaces=replaces)
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                messages.success(request, f"{MATERIAL_KINDS[kind]}已上传。")
                return redirect("applications:materials", application.pk)
        failed_kind, failed_form = kind, form
    current = {}
    for material in application.materials.current().order_by("uploaded_at", "id"):
        current.setdefault(material.kind, []).append(material)
    kinds = []
    for kind in selectors.required_material_kinds(application):
        kinds.append({
            "kind": kind, "label": MATERIAL_KINDS[kind], "files": current.get(kind, []),
            "form": failed_form if kind == failed_kind else MaterialUploadForm(prefix=kind),
            "editable": selectors.can_edit(application, f"material.{kind}"),
        })
    context = _context(application, Section.MATERIALS, kinds=kinds, failed_form=failed_form,
                       online=selectors.material_kinds_supplied_online(application))
    return render(request, "applications/wizard/materials.html", context)


@login_required
@require_POST
def material_remove(request, pk, material_pk):
    application = selectors.applicant_application_or_404(request.user, pk)
    material = get_object_or_404(Material, pk=material_pk, application=application)
    try:
        apply_services.material_remove(application=application, actor=request.user, material=material)
        messages.success(request, "文件已移除（系统保留记录）。")
    except PortalError as exc:
        messages.error(request, exc.message)
    return redirect("applications:materials", application.pk)


@login_required
@require_GET
def material_file(request, pk):
    """The one way a material's file leaves the server: its applicant, or a caseworker in scope."""
    material = selectors.material_for_user_or_404(request.user, pk)
    try:
        handle = material.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    ext = "pdf" if material.content_type == "application/pdf" else material.content_type.split("/")[-1]
    response = FileResponse(handle, content_type=material.content_type, as_attachment=False,
                            filename=f"{material.get_kind_display()}-{material.pk}.{ext}")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    return response


# --- review, submit, progress, withdraw ----------------------------------------------------------


@login_required
@require_GET
def review(request, pk):
    application = selectors.applicant_application_or_404(request.user, pk)
    if application.status not in (Status.DRAFT, Status.RETURNED_FOR_CORRECTION):
        return redirect("applications:progress", application.pk)
    context = _context(application, "review", missing=selectors.missing_items(application),
                       members=list(application.household.members.all()),
                       materials=list(application.materials.current().order_by("kind", "uploaded_at")),
                       preferred=list(application.preferred_districts.all()))
    return render(request, "applications/wizard/review.html", context)


@login_required
@require_POST
def submit(request, pk):
    application = selectors.applicant_application_or_404(request.user, pk)
    try:
        if application.status == Status.RETURNED_FOR_CORRECTION or getattr(application, "correction", None):
            application, changed = services.application_resubmit(application=application, actor=request.user)
        else:
            application, changed = services.application_submit(application=application, actor=request.user)
    except PortalError as exc:
        messages.error(request, exc.message)
        return redirect("applications:review", application.pk)
    if changed:
        messages.success(request, f"申请已提交，申请编号 {application.number}。")
    else:
        messages.info(request, f"申请已经提交过了（编号 {application.number}），无需重复提交。")
    return redirect("applications:progress", application.pk)


@login_required
@require_GET
def progress(request, pk):
    application = selectors.applicant_application_or_404(request.user, pk)
    correction = getattr(application, "correction", None)
    rejected = application.status == Status.REJECTED
    context = {
        "application": application, "progress": selectors.progress(application),
        "timeline": selectors.timeline(application), "correction": correction,
        "correction_items": list(correction.items.all()) if correction else [],
        "members": list(application.household.members.all()),
        "rejection_reasons": applicant_reasons(application) if rejected else [],
        "failed_conditions": applicant_failed_conditions(application),
        "steps_to_come": selectors.steps_to_come(application),
        "expected_decision_by": selectors.expected_decision_by(application),
        "total_workdays": param("review.total_workdays", district=application.district_id),
        "notice_not_started": bool(application.notice_starts_on and application.status == Status.PUBLIC_NOTICE
                                   and timezone.localdate() < application.notice_starts_on),
        "recheck": getattr(application, "recheck", None),
        "recheck_open": rejected and selectors.recheck_last_day(application) is not None,
        "recheck_last_day": selectors.recheck_last_day(application) if rejected else None,
    }
    return render(request, "applications/progress.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def recheck(request, pk):
    """复核: the rejected applicant asks once, within the period, with a reason."""
    application = selectors.applicant_application_or_404(request.user, pk)
    last_day = selectors.recheck_last_day(application)
    if application.status != Status.REJECTED or last_day is None:
        messages.info(request, "该申请当前不能申请复核。")
        return redirect("applications:progress", application.pk)
    form = RecheckForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            review_workflow.recheck_request(application=application, actor=request.user, reason=form.cleaned_data["reason"])
        except PortalError as exc:
            form.add_portal_error(exc)
        else:
            days = param("review.total_workdays", district=application.district_id)
            messages.success(request, f"复核申请已提交，将在 {days} 个工作日内作出复核决定。")
            return redirect("applications:progress", application.pk)
    return render(request, "applications/recheck.html", {"application": application, "form": form,
                                                          "last_day": last_day,
                                                          "reasons": applicant_reasons(application)})


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    application = selectors.applicant_application_or_404(request.user, pk)
    if not application.is_withdrawable:
        messages.info(request, "该申请当前不能撤回。")
        return redirect("applications:progress", application.pk)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(application=application, actor=request.user,
                                          reason=form.cleaned_data["reason"])
        except PortalError as exc:
            form.add_portal_error(exc)
        else:
            messages.success(request, "申请已撤回。")
            return redirect("applications:progress", application.pk)
    return render(request, "applications/withdraw.html", {"application": application, "form": form})
