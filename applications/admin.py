"""Caseworkers' admin for applications: the queues and the review.

Scoped with `DistrictScopedAdminMixin` (a street clerk sees their street, a district caseworker
their district); drafts are never shown. Nothing is edited in place: the status is read-only, and
each decision is a button for the actions `review.allowed_actions` gives this user at this step,
calling the same service as the API and showing its message when it refuses. Lists put the
earliest step deadline first (overdue on top). ID numbers are masked. A street clerk registers
applicants on site from here (现场注册).
"""

import secrets

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from applications import services
from applications.accounts import services as accounts
from applications.accounts.forms import OnsiteRegistrationForm
from applications.crosscheck import services as crosscheck
from applications.crosscheck.exchange import departments as registered_departments
from applications.eligibility.display import fact_lines, query_text, rule_table_html, rule_verdicts
from applications.models import (
    Application,
    ApplicationStatusChange,
    CheckOutcome,
    CheckResult,
    HouseholdMember,
    Material,
    NoticeObjection,
    RuleEvaluation,
    Status,
)
from applications.review import admin_notice  # noqa: F401  (registers the NoticeObjection admin)
from applications.review import services as review
from applications.review.admin_tools import (
    ApplicationAdminToolsMixin,
    DistrictFilter,
    IdSearchFilter,
    OverdueFilter,
    StreetFilter,
    find_by_digest,
    id_number_digest,
)
from applications.review.forms import CorrectionForm, ManualCheckForm, OpinionForm, ReviewOpinionForm
from gongzufang import workflow
from gongzufang.admin.readonly import ReadOnlyInline
from gongzufang.admin.scoped import DistrictScopedAdminMixin
from gongzufang.errors import PortalError
from gongzufang.models import PiiAccessLog
from gongzufang.parameters import param
from gongzufang.pii import mask_id_number, mask_phone
from gongzufang.workdays import add_workdays


class MaterialInline(ReadOnlyInline):
    model = Material
    fields = ["kind", "file_link", "content_type", "size", "uploaded_at", "superseded_at"]
    readonly_fields = fields
    verbose_name_plural = "申请材料（含已替换的历史文件）"

    @admin.display(description="文件")
    def file_link(self, obj):
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>',
                           reverse("applications:material_file", args=[obj.pk]), obj.original_name)


def department_label(code):
    adapter = registered_departments().get(code)
    return adapter.name if adapter else code


class CheckResultInline(ReadOnlyInline):
    """The current answer of each department about each member (部门联审)."""

    model = CheckResult
    # The department's answer (did the query succeed) and the rules' verdict on its facts, side by side:
    # a home owned is "查询成功" + "不符合：在本市无自有住房", never "通过" (issue 12, item 8).
    fields = ["department_name", "member", "query_status", "rule_verdict", "facts_text", "queried_at",
              "reply_hash_short", "reused"]
    readonly_fields = fields
    verbose_name_plural = "部门联审结果（当前）"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_current=True).select_related("member")

    @admin.display(description="部门")
    def department_name(self, obj):
        return department_label(obj.department)

    @admin.display(description="部门查询")
    def query_status(self, obj):
        return query_text(obj)

    @admin.display(description="规则判定")
    def rule_verdict(self, obj):
        # An inline is instantiated per request: one evaluation query per page, not per row.
        cache = self.__dict__.setdefault("_evaluations", {})
        if obj.application_id not in cache:
            cache[obj.application_id] = RuleEvaluation.objects.filter(application_id=obj.application_id,
                                                                      is_current=True).first()
        verdicts = rule_verdicts(obj.department, cache[obj.application_id])
        if not verdicts:
            return "尚未评估"
        return format_html_join("", '<div class="rule-{}">{}</div>', verdicts)

    @admin.display(description="部门返回的事实")
    def facts_text(self, obj):
        return format_html_join("", "<div>{}：{}</div>", fact_lines(obj.facts))

    @admin.display(description="应答哈希")
    def reply_hash_short(self, obj):
        return obj.reply_hash[:12] if obj.reply_hash else "—"

    @admin.display(description="来源")
    def reused(self, obj):
        return "沿用有效期内的查询" if obj.reused_from_id else "本次查询"


class ObjectionInline(ReadOnlyInline):
    model = NoticeObjection
    fields = ["created_at", "name", "contact", "text", "resolved_at", "upheld", "resolution", "resolved_by"]
    readonly_fields = fields
    verbose_name_plural = "公示异议"


class StatusChangeInline(ReadOnlyInline):
    model = ApplicationStatusChange
    fields = ["created_at", "from_status", "to_status", "actor", "actor_level", "opinion"]
    readonly_fields = fields
    verbose_name_plural = "办理记录"


@admin.register(Application)
class ApplicationAdmin(DistrictScopedAdminMixin, ApplicationAdminToolsMixin, admin.ModelAdmin):
    # The deadline right after the number: at 1366 px with the side menu it must be on screen (issue 12,
    # item 20); the form of assistance is in the category's name.
    list_display = ["number", "step_deadline", "status", "applicant_name", "applicant_id_masked", "category",
                    "street", "submitted_at"]
    list_filter = ["status", DistrictFilter, StreetFilter, "category", "assistance_type", OverdueFilter,
                   IdSearchFilter]
    # Number, name or phone (admin_tools.search_applications); a full ID number only through the POST
    # form "按身份证号查找" (id_search_view), so that it never stands in a URL and each search is logged.
    search_fields = ["number"]
    search_help_text = "可按申请编号、申请人姓名或手机号查询；按身份证号码查找请用右上方的“按身份证号查找”"
    list_select_related = ["applicant", "street__district"]
    # Queues: submissions awaiting acceptance first (the clerk's to act on; no budget runs before
    # acceptance), then the earliest step deadline, so overdue work is on top; finished ones last.
    ordering = [F("step_due_on").asc(nulls_last=True), "-submitted_at", "-id"]
    actions = ["close_notices"]
    change_form_template = "admin/applications/application/change_form.html"
    # import-export puts its own template first and ours as its base; ours adds on-site registration.
    import_export_change_list_template = "admin/applications/application/change_list.html"
    fieldsets = [
        ("申请", {"fields": ["number", "status", "applicant_name", "applicant_id_masked", "applicant_phone",
                           "assistance_type", "category", "district", "street", "community", "submitted_at",
                           "accepted_at"]}),
        ("家庭成员", {"fields": ["members_table"]}),
        ("住房、资产与意向", {"fields": ["housing_type", "housing_area", "housing_address", "vehicle_count",
                                 "vehicle_value", "business_count", "business_capital", "property_sold_recently",
                                 "assets_note", "preferred", "preferred_bedrooms"]}),
        ("授权与补正", {"fields": ["consent_at", "consent_version", "correction_list"]}),
        ("审核与时限", {"fields": ["step_deadline", "due_on", "notice_period", "processing_workdays", "recheck_info",
                                  "review_form_link"]}),
        ("资格规则评估", {"fields": ["rule_table"]}),
    ]
    inlines = [MaterialInline, CheckResultInline, ObjectionInline, StatusChangeInline]

    def get_queryset(self, request):
        awaiting = Case(When(status=Status.SUBMITTED, then=Value(1)), default=Value(0), output_field=IntegerField())
        return super().get_queryset(request).exclude(status=Status.DRAFT).annotate(awaiting_acceptance=awaiting)

    def get_ordering(self, request):
        # The annotation is added by get_queryset, so it cannot stand in the checked `ordering`.
        return [F("awaiting_acceptance").desc(), *self.ordering]

    def get_readonly_fields(self, request, obj=None):
        return [f for _title, opts in self.fieldsets for f in opts["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="申请人")
    def applicant_name(self, obj):
        return obj.applicant.real_name or obj.applicant.username

    @admin.display(description="身份证号码")
    def applicant_id_masked(self, obj):
        return mask_id_number(obj.applicant.id_number)

    @admin.display(description="手机号")
    def applicant_phone(self, obj):
        return mask_phone(obj.applicant.phone)

    @admin.display(description="家庭成员")
    def members_table(self, obj):
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((m.name, m.get_relationship_display(), mask_id_number(m.id_number), m.get_sex_display(),
              m.age, m.get_marital_status_display(), m.employer or "—", m.monthly_income)
             for m in HouseholdMember.objects.filter(household_id=obj.household_id)),
        )
        return format_html(
            "<table><thead><tr><th>姓名</th><th>关系</th><th>身份证号码</th><th>性别</th><th>年龄</th>"
            "<th>婚姻状况</th><th>工作单位</th><th>月收入（元）</th></tr></thead><tbody>{}</tbody></table>", rows)

    @admin.display(description="意向区域")
    def preferred(self, obj):
        return "、".join(d.name for d in obj.preferred_districts.all()) or "—"

    @admin.display(description="本环节期限", ordering="step_due_on")
    def step_deadline(self, obj):
        due = obj.step_due_on
        if due is None:
            # The time limit runs from acceptance: a submission waits for the clerk, not for a date.
            return format_html("<strong>{}</strong>", "待受理") if obj.status == Status.SUBMITTED else "—"
        today = timezone.localdate()
        text = f"{due:%Y-%m-%d}" + ("（暂定）" if obj.deadline_provisional else "")
        if due < today:
            return format_html('<strong style="color:#ba2121">{} 已逾期</strong>', text)
        if due <= add_workdays(today, param("review.due_soon_workdays")):
            return format_html('<strong style="color:#b25f00">{} 即将到期</strong>', text)
        return text

    @admin.display(description="公示期")
    def notice_period(self, obj):
        if not obj.notice_starts_on:
            return "—"
        return f"{obj.notice_starts_on:%Y-%m-%d} 至 {obj.notice_ends_on:%Y-%m-%d}"

    @admin.display(description="复核申请")
    def recheck_info(self, obj):
        recheck = getattr(obj, "recheck", None)
        if recheck is None:
            return "—"
        outcome = "待复核" if recheck.granted is None else ("复核成立" if recheck.granted else "维持原决定")
        return format_html("{}（理由：{}；办结期限 {}）", outcome, recheck.reason, recheck.due_on)

    @admin.display(description="逐条结果")
    def rule_table(self, obj):
        return rule_table_html(RuleEvaluation.objects.filter(application=obj, is_current=True).first())

    @admin.display(description="补正清单")
    def correction_list(self, obj):
        correction = getattr(obj, "correction", None)
        if correction is None:
            return "—"
        items = format_html_join("", "<li>{}：{}</li>", ((i.get_section_display(), i.note) for i in correction.items.all()))
        return format_html("<ul>{}</ul>{}", items, f"补正提交：{timezone.localtime(correction.resolved_at):%Y-%m-%d %H:%M}"
                           if correction.resolved_at else "等待申请人补正")

    # --- buttons -----------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("register-applicant/", view(self.register_applicant_view), name="applications_register_applicant"),
            # `act/…` first: `<path:…>` is greedy, and "12/act/accept/" would otherwise be read as the
            # acceptance page of an application "12/act".
            path("<path:object_id>/act/<str:action>/", view(self.action_view), name="applications_application_act"),
            path("<path:object_id>/accept/", view(self.accept_view), name="applications_application_accept"),
            path("<path:object_id>/rerun/<str:department>/", view(self.rerun_view),
                 name="applications_application_rerun"),
            path("<path:object_id>/return/", view(self.return_view), name="applications_application_return"),
            path("id-search/", view(self.id_search_view), name="applications_application_id_search"),
            path("<path:object_id>/resolve/<int:result_id>/", view(self.resolve_check_view),
                 name="applications_application_resolve_check"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {
            "show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
            "show_delete": False,
            "can_accept": any(a.name == "accept" for a in review.allowed_actions(obj, request.user)),
            # The transition's own source states, guard (once only) and permission decide.
            "can_return": workflow.refusal(obj, "return_for_correction", request.user) is None,
            "opinion_form": OpinionForm(),
            "review_opinion_form": ReviewOpinionForm(),
            "rerun_departments": (
                [(code, cls.name) for code, cls in registered_departments().items()]
                if obj.status in crosscheck.RERUN_STATUSES and request.user.has_perm("applications.rerun_check")
                else []),
            "review_actions": [a for a in review.allowed_actions(obj, request.user) if a.name != "accept"],
            "unknown_results": self._unknown_results(request, obj),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def _change_url(self, obj):
        return reverse("admin:applications_application_change", args=[obj.pk])

    def accept_view(self, request, object_id):
        obj = self.get_object(request, object_id)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        if not request.user.has_perm("applications.accept_application"):
            raise PermissionDenied
        form = OpinionForm(request.POST)
        if not form.is_valid():
            # Refused, never replaced by the default text: the clerk's own words are kept or nothing is done.
            self.message_user(request, f"受理意见不能超过 {services.ACCEPT_OPINION_MAX} 个字，未受理，请修改后重新提交。",
                              messages.ERROR)
            return redirect(self._change_url(obj))
        opinion = form.cleaned_data["opinion"]
        try:
            services.application_accept(application=obj, actor=request.user, opinion=opinion)
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, f"申请 {obj.number} 已受理。", messages.SUCCESS)
        return redirect(self._change_url(obj))

    def action_view(self, request, object_id, action):
        """One review decision (a button of the change page), through `review.perform`."""
        obj = self.get_object(request, object_id)  # outside the user's area: 404 (DistrictScopedAdminMixin)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        chosen = next((a for a in review.allowed_actions(obj, request.user) if a.name == action), None)
        if chosen is None:
            self.message_user(request, "您在此环节不能执行该操作（可能已由他人办理，请刷新页面）。", messages.ERROR)
            return redirect(self._change_url(obj))
        form = ReviewOpinionForm(request.POST)
        if not form.is_valid():
            self.message_user(request, "意见不能超过 2000 个字。", messages.ERROR)
            return redirect(self._change_url(obj))
        opinion = form.cleaned_data["opinion"]
        try:
            review.perform(action, application=obj, actor=request.user, opinion=opinion)
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, f"申请 {obj.number}：{chosen.label}，已记录并通知申请人。", messages.SUCCESS)
        return redirect(self._change_url(obj))

    def rerun_view(self, request, object_id, department):
        """Ask one department again (whatever the freshness window says), e.g. after a timeout."""
        obj = self.get_object(request, object_id)  # outside the user's area: 404 (DistrictScopedAdminMixin)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        if not request.user.has_perm("applications.rerun_check"):
            raise PermissionDenied
        try:
            summary = crosscheck.check_rerun(application=obj, department=department, actor=request.user)
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            name = department_label(department)
            if summary.unknown_applications:
                self.message_user(request, f"已重新向{name}核验，仍有无法核验的结果，请稍后再试。", messages.WARNING)
            else:
                self.message_user(request, f"已重新向{name}核验，结果已更新。", messages.SUCCESS)
        return redirect(self._change_url(obj))

    def id_search_view(self, request):
        """按身份证号查找: a POST (the number stays out of URLs and access logs), each search logged in
        PiiAccessLog; one match opens it, otherwise the list shows the matches under a session token."""
        changelist = reverse("admin:applications_application_changelist")
        if request.method != "POST":
            return redirect(changelist)
        try:
            digest = id_number_digest(request.POST.get("id_number", ""))
        except ValidationError as exc:
            self.message_user(request, f"按身份证号查找：{' '.join(exc.messages)}", messages.ERROR)
            return redirect(changelist)
        matches = list(find_by_digest(self.get_queryset(request), digest).values_list("pk", flat=True)[:20])
        PiiAccessLog.objects.create(
            user=request.user, content_type=ContentType.objects.get_for_model(Application),
            object_id=",".join(map(str, matches))[:40] or "-", field="id_number_search",
            purpose=f"管理后台按身份证号查找（{len(matches)} 件）")
        if len(matches) == 1:
            return redirect(self._change_url(Application(pk=matches[0])))
        if not matches:
            self.message_user(request, "没有找到该身份证号码的申请（或不在您的辖区内）。", messages.WARNING)
            return redirect(changelist)
        token = secrets.token_urlsafe(9)
        searches = request.session.get(IdSearchFilter.SESSION_KEY, {})
        searches = dict(list(searches.items())[-9:])  # the last few searches of this session
        searches[token] = digest
        request.session[IdSearchFilter.SESSION_KEY] = searches
        return redirect(f"{changelist}?{IdSearchFilter.parameter_name}={token}")

    def _unknown_results(self, request, obj):
        """The current `unknown` answers a district caseworker may resolve by hand (人工核验)."""
        if obj is None or obj.status not in crosscheck.RERUN_STATUSES or \
                not request.user.has_perm("applications.district_review_application"):
            return []
        rows = obj.check_results.current().filter(status=CheckOutcome.UNKNOWN).select_related("member")
        # One form per result, each with its own prefix: its fields' ids (and labels) stay unique.
        return [{"pk": r.pk, "department": department_label(r.department), "member": str(r.member),
                 "reason": r.reason, "form": ManualCheckForm(prefix=f"manual-{r.pk}")} for r in rows]

    def resolve_check_view(self, request, object_id, result_id):
        """人工核验: one unknown department result resolved by hand (crosscheck.check_resolve_by_hand)."""
        obj = self.get_object(request, object_id)  # outside the user's area: 404 (DistrictScopedAdminMixin)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        result = obj.check_results.filter(pk=result_id).first()
        if result is None:
            raise Http404
        form = ManualCheckForm(request.POST, prefix=f"manual-{result.pk}")
        if not form.is_valid():
            errors = "；".join(f"{form.fields[f].label}：{' '.join(e)}" for f, e in form.errors.items() if f in form.fields)
            self.message_user(request, f"人工核验未记录：{errors or '请检查填写内容'}", messages.ERROR)
            return redirect(self._change_url(obj))
        data = form.cleaned_data
        try:
            crosscheck.check_resolve_by_hand(result=result, actor=request.user, status=data["status"],
                                             document=data["document"], reason=data["reason"], record=data["record"])
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, f"已记录{department_label(result.department)}的人工核验结果。", messages.SUCCESS)
        return redirect(self._change_url(obj))

    @admin.action(description="公示期满的申请提交市级复核")
    def close_notices(self, request, queryset):
        done, refused = 0, []
        for obj in queryset.filter(status=Status.PUBLIC_NOTICE):
            try:
                review.close_notice(application=obj, actor=request.user)
            except PortalError as exc:
                refused.append(f"{obj.number}：{exc.message}")
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} 件申请已提交市级复核。", messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.WARNING)
        if not done and not refused:
            self.message_user(request, "所选申请中没有处于公示期的。", messages.INFO)

    def return_view(self, request, object_id):
        obj = self.get_object(request, object_id)
        if not request.user.has_perm("applications.return_application"):
            raise PermissionDenied
        form = CorrectionForm(request.POST if request.method == "POST" else None, application=obj)
        if request.method == "POST" and form.is_valid():
            try:
                services.application_return_for_correction(application=obj, actor=request.user,
                                                           items=form.cleaned_data["items"],
                                                           note=form.cleaned_data["note"])
            except PortalError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return redirect(self._change_url(obj))
            self.message_user(request, f"申请 {obj.number} 已退回补正，已通知申请人。", messages.SUCCESS)
            return redirect(self._change_url(obj))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "original": obj,
                   "form": form, "title": f"退回补正：{obj.number}"}
        return TemplateResponse(request, "admin/applications/application/return.html", context)

    def register_applicant_view(self, request):
        if not request.user.has_perm("applications.register_applicant"):
            raise PermissionDenied
        form = OnsiteRegistrationForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                user = accounts.applicant_register_onsite(
                    clerk=request.user, name=form.cleaned_data["name"], id_number=form.cleaned_data["id_number"],
                    phone=form.cleaned_data["phone"])
            except PortalError as exc:
                form.add_portal_error(exc)
            else:
                self.message_user(request, f"已为 {user.real_name} 注册账户（登录名 {mask_phone(user.phone)}），"
                                           "设置密码的短信已发送。", messages.SUCCESS)
                return redirect(reverse("admin:applications_register_applicant"))
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": "现场注册申请人"}
        return TemplateResponse(request, "admin/applications/application/register_applicant.html", context)
