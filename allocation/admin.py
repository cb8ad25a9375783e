"""The caseworkers' screens: the waitlist queue per district (order, group, waiting time), and the
allocation rounds with their 发布 / 摇号 / 作废 buttons (the transitions' own labels and permissions,
`gongzufang.workflow.available_actions`). Every list is scoped to the user's district."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from gongzufang import workflow
from gongzufang.admin.readonly import ReadOnlyInline
from gongzufang.admin.scoped import DistrictScopedAdminMixin
from gongzufang.errors import PortalError
from gongzufang.models import District
from gongzufang.parameters import PRIORITY_GROUPS
from gongzufang.pii import mask_name

from . import selectors, services
from .models import AllocationRound, RoundEntry, RoundStatusChange, WaitlistEntry, WaitlistEntryStatusChange


class _StatusChangeInline(ReadOnlyInline):
    fields = ["created_at", "change", "actor", "actor_level", "opinion"]
    readonly_fields = fields
    verbose_name_plural = "办理记录"

    @admin.display(description="变更")
    def change(self, obj):
        return str(obj)


class EntryStatusChangeInline(_StatusChangeInline):
    model = WaitlistEntryStatusChange


class RoundStatusChangeInline(_StatusChangeInline):
    model = RoundStatusChange


class RoundEntryInline(ReadOnlyInline):
    model = RoundEntry
    fields = ["position", "ref", "group_rank", "window_no", "window_opens_at", "window_closes_at"]
    readonly_fields = fields
    ordering = ["draw__position", "ref"]
    verbose_name_plural = "参加家庭（摇号后按选房顺序）"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("draw")


class _TransitionButtons:
    """Buttons from the transitions' labels; each POST runs the service of the same name."""

    services: dict = {}

    def _change_url(self, obj):
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])

    def act_view(self, request, object_id, action):
        obj = self.get_object(request, object_id)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        chosen = next((a for a in workflow.available_actions(obj, request.user) if a.name == action), None)
        if chosen is None or action not in self.services:
            raise DjangoPermissionDenied
        try:
            self.services[action](obj, request.user, request.POST.get("opinion", ""))
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, f"已{chosen.label}。", messages.SUCCESS)
        return redirect(self._change_url(obj))

    def _actions(self, obj, user):
        return [a for a in workflow.available_actions(obj, user) if a.name in self.services]


class PriorityGroupFilter(admin.SimpleListFilter):
    """优先类别 by its Chinese name; the general group (stored as "") is 一般轮候家庭. Django's plain field filter
    showed the stored codes and an empty link for the general group (no accessible name, axe-core link-name)."""

    title = "优先类别"
    parameter_name = "group"

    def lookups(self, request, model_admin):
        return [*PRIORITY_GROUPS.items(), ("general", services.GENERAL_LABEL)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "general":
            return queryset.filter(priority_group="")
        return queryset.filter(priority_group=value) if value else queryset


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(_TransitionButtons, DistrictScopedAdminMixin, admin.ModelAdmin):
    list_display = ["number", "household", "group", "group_rank", "qualified_on", "waiting_days", "household_size",
                    "max_bedrooms", "refusals", "status", "district"]
    list_filter = ["status", "district", PriorityGroupFilter]
    search_fields = ["number", "application_number"]
    ordering = ["district", "group_rank", "qualified_on", "application_number"]
    list_select_related = ["district", "application__applicant"]
    readonly_fields = ["number", "application", "application_number", "district", "priority_group", "group_rank",
                       "qualified_on", "household_size", "max_bedrooms", "refusals", "suspended_until", "left_on",
                       "leave_reason", "status", "created_at"]
    exclude = ["updated_at"]
    inlines = [EntryStatusChangeInline]
    change_form_template = "admin/allocation/change_form_actions.html"
    services = {
        "switch_to_subsidy": lambda obj, user, opinion: services.entry_switch_to_subsidy(entry=obj, actor=user,
                                                                                         reason=opinion),
        "make_ineligible": lambda obj, user, opinion: services.entry_make_ineligible(entry=obj, actor=user,
                                                                                     reason=opinion),
    }

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="家庭")
    def household(self, obj):
        return mask_name(obj.application.applicant.real_name or "")

    @admin.display(description="优先类别", ordering="group_rank")
    def group(self, obj):
        return PRIORITY_GROUPS.get(obj.priority_group, services.GENERAL_LABEL)

    @admin.display(description="已轮候（天）")
    def waiting_days(self, obj):
        return selectors.waiting_days(obj, timezone.localdate())

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<path:object_id>/act/<str:action>/", view(self.act_view), name="allocation_waitlistentry_act"),
                *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {"gzf_actions": self._actions(obj, request.user), "act_url": "admin:allocation_waitlistentry_act",
                 "position": selectors.position_of(obj), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=extra)


class RoundCreateForm(forms.Form):
    district = forms.ModelChoiceField(label="区县", queryset=District.objects.none())
    name = forms.CharField(label="方案名称", max_length=80)
    bedrooms = forms.MultipleChoiceField(label="户型（不选为全部）", required=False,
                                         choices=[(0, "开间"), (1, "一居室"), (2, "两居室"), (3, "三居室")],
                                         widget=forms.CheckboxSelectMultiple)
    groups = forms.MultipleChoiceField(label="优先类别（不选为全部）", required=False,
                                       choices=[*PRIORITY_GROUPS.items(), (services.GENERAL_GROUP, services.GENERAL_LABEL)],
                                       widget=forms.CheckboxSelectMultiple)
    max_households = forms.IntegerField(label="参加家庭数上限（留空为全部符合条件的家庭，按轮候顺序）", required=False,
                                        min_value=1)
    households_per_window = forms.IntegerField(label="每批选房户数（留空按政策参数）", required=False, min_value=1)
    window_hours = forms.IntegerField(label="每批选房时长（小时，留空按政策参数）", required=False, min_value=1)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = District.objects.for_user(user).order_by("sort_order", "code")


class DrawForm(forms.Form):
    public_entropy = forms.CharField(label="公开随机数（如当日福利彩票开奖号码）", max_length=200, strip=False)


@admin.register(AllocationRound)
class AllocationRoundAdmin(_TransitionButtons, DistrictScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "district", "status", "entry_count", "unit_count", "published_at", "drawn_at"]
    list_filter = ["status", "district"]
    readonly_fields = ["name", "district", "status", "unit_filters", "max_households", "households_per_window",
                       "window_hours", "choice_starts_at", "pool_hash", "commitment", "public_entropy", "seed",
                       "published_at", "drawn_at", "drawn_by", "void_reason", "created_by", "created_at"]
    exclude = ["secret", "updated_at"]
    inlines = [RoundEntryInline, RoundStatusChangeInline]
    change_form_template = "admin/allocation/change_form_actions.html"
    services = {
        "publish": lambda obj, user, opinion: services.round_publish(round=obj, actor=user, opinion=opinion),
        "void": lambda obj, user, opinion: services.round_void(round=obj, actor=user, reason=opinion),
    }

    def has_add_permission(self, request):
        return request.user.has_perm("allocation.manage_round")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).select_related("district").annotate(
            n_entries=Count("entries", distinct=True), n_units=Count("units", distinct=True))

    @admin.display(description="家庭数")
    def entry_count(self, obj):
        return obj.n_entries

    @admin.display(description="房源数")
    def unit_count(self, obj):
        return obj.n_units

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/act/<str:action>/", view(self.act_view), name="allocation_allocationround_act"),
            path("<path:object_id>/draw/", view(self.draw_view), name="allocation_allocationround_draw"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise DjangoPermissionDenied
        form = RoundCreateForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                round_ = services.round_create(
                    district=data["district"], name=data["name"], actor=request.user, bedrooms=data["bedrooms"],
                    groups=data["groups"], max_households=data["max_households"],
                    households_per_window=data["households_per_window"], window_hours=data["window_hours"])
            except PortalError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, f"已新建配租方案：{round_.units.count()} 套房源，{round_.entries.count()} 户家庭。",
                                  messages.SUCCESS)
                return redirect(self._change_url(round_))
        context = {**self.admin_site.each_context(request), "title": "新建配租方案", "form": form,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/allocation/round_add.html", context)

    def draw_view(self, request, object_id):
        obj = self.get_object(request, object_id)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        try:
            services.round_draw(round=obj, actor=request.user, public_entropy=request.POST.get("public_entropy", ""))
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, "已摇号，结果已在配租方案公示页公布。", messages.SUCCESS)
        return redirect(self._change_url(obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {
            "gzf_actions": self._actions(obj, request.user), "act_url": "admin:allocation_allocationround_act",
            "can_draw": workflow.refusal(obj, "draw", request.user) is None and workflow.may_see(obj, request.user),
            "draw_form": DrawForm(), "public_url": reverse("allocation:round", args=[obj.pk])
            if obj.status != AllocationRound.Status.DRAFT else "",
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=extra)


# 选房结果 and 现场选房 (allocation/choice/admin.py).
from .choice import admin as _choice_admin  # noqa: E402, F401
