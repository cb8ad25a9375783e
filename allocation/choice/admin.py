"""The caseworkers' offer screens (选房结果): offers with their sign-by dates, filters, the 放弃/撤销 buttons
from the transitions (`workflow.available_actions`), and 现场选房 — choosing at the counter on a
household's behalf, same rules, recorded as such. Scoped to the user's district. Imported by
allocation/admin.py."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from gongzufang import workflow
from gongzufang.admin.readonly import ReadOnlyInline
from gongzufang.admin.scoped import DistrictScopedAdminMixin
from gongzufang.errors import PortalError
from gongzufang.pii import mask_name

from ..models import AllocationRound, Offer, OfferStatusChange, RoundEntry
from . import selectors, services


class OfferStatusChangeInline(ReadOnlyInline):
    model = OfferStatusChange
    fields = ["created_at", "change", "actor", "actor_level", "opinion"]
    readonly_fields = fields
    verbose_name_plural = "办理记录"

    @admin.display(description="变更")
    def change(self, obj):
        return str(obj)


class DeadlineFilter(admin.SimpleListFilter):
    title = "签约期限"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", "已过期限（待处理）"), ("3days", "3 日内到期")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.filter(status=Offer.Status.HELD, sign_by__lt=today)
        if self.value() == "3days":
            return queryset.filter(status=Offer.Status.HELD, sign_by__gte=today,
                                   sign_by__lte=today + timezone.timedelta(days=3))
        return queryset


class CounterFindForm(forms.Form):
    round = forms.ModelChoiceField(label="配租方案（已摇号）", queryset=AllocationRound.objects.none())
    ref = forms.CharField(label="轮候编号", max_length=32)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = (AllocationRound.objects.for_user(user)
                                         .filter(status=AllocationRound.Status.DRAWN).order_by("-drawn_at"))


@admin.register(Offer)
class OfferAdmin(DistrictScopedAdminMixin, admin.ModelAdmin):
    list_display = ["waitlist_number", "household", "unit", "status", "sign_by_display", "at_counter", "chosen_at",
                    "round_name", "district"]
    list_filter = ["status", DeadlineFilter, "at_counter", "district", "round_entry__round"]
    search_fields = ["round_entry__ref", "unit__number"]
    list_select_related = ["district", "unit__estate", "unit__building", "round_entry__round",
                           "round_entry__entry__application__applicant"]
    ordering = ["sign_by", "-chosen_at"]
    readonly_fields = ["round_entry", "unit", "district", "status", "sign_by", "chosen_at", "chosen_by", "at_counter",
                       "refusal_counts", "reason", "created_at"]
    exclude = ["updated_at"]
    inlines = [OfferStatusChangeInline]
    change_form_template = "admin/allocation/offer_change_form.html"
    change_list_template = "admin/allocation/offer_change_list.html"
    services = {
        "refuse": lambda obj, user, opinion: services.offer_refuse(offer=obj, actor=user, reason=opinion),
        "withdraw": lambda obj, user, opinion: services.offer_withdraw(offer=obj, actor=user, reason=opinion),
    }

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="轮候编号", ordering="round_entry__ref")
    def waitlist_number(self, obj):
        return obj.round_entry.ref

    @admin.display(description="家庭")
    def household(self, obj):
        return mask_name(obj.round_entry.entry.application.applicant.real_name or "")

    @admin.display(description="配租方案")
    def round_name(self, obj):
        return obj.round_entry.round.name

    @admin.display(description="签约期限", ordering="sign_by")
    def sign_by_display(self, obj):
        if obj.status == Offer.Status.HELD and obj.sign_by < timezone.localdate():
            return format_html('<strong class="gzf-overdue">{}（已过期限）</strong>', f"{obj.sign_by:%Y-%m-%d}")
        return f"{obj.sign_by:%Y-%m-%d}"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("counter/", view(self.counter_view), name="allocation_offer_counter"),
            path("<path:object_id>/act/<str:action>/", view(self.act_view), name="allocation_offer_act"),
            *super().get_urls(),
        ]

    def _change_url(self, obj):
        return reverse("admin:allocation_offer_change", args=[obj.pk])

    def _actions(self, obj, user):
        return [a for a in workflow.available_actions(obj, user) if a.name in self.services]

    def act_view(self, request, object_id, action):
        obj = self.get_object(request, object_id)
        if request.method != "POST":
            return redirect(self._change_url(obj))
        chosen = next((a for a in self._actions(obj, request.user) if a.name == action), None)
        if chosen is None:
            raise DjangoPermissionDenied
        try:
            self.services[action](obj, request.user, request.POST.get("opinion", ""))
        except PortalError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, f"已{chosen.label}。", messages.SUCCESS)
        return redirect(self._change_url(obj))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra = {"gzf_actions": self._actions(obj, request.user), "act_url": "admin:allocation_offer_act",
                 **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context=extra)

    def changelist_view(self, request, extra_context=None):
        extra = {"can_counter": services._is_counter_staff(request.user), **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    # --- 现场选房 ---------------------------------------------------------------------------------

    def counter_view(self, request):
        """Find the household (round + waitlist number), show the free units that fit, choose one."""
        if not services._is_counter_staff(request.user):
            raise DjangoPermissionDenied
        context = {**self.admin_site.each_context(request), "title": "现场选房", "opts": self.model._meta}
        round_entry = None
        if request.method == "POST" and request.POST.get("round_entry"):
            round_entry = self._round_entry(request, request.POST["round_entry"])
            try:
                offer = services.offer_choose(round_entry=round_entry, unit=int(request.POST.get("unit") or 0),
                                              actor=request.user, at_counter=True)
            except (PortalError, ValueError) as exc:
                self.message_user(request, getattr(exc, "message", "请选择房屋。"), messages.ERROR)
            else:
                self.message_user(request, f"已为轮候家庭 {round_entry.ref} 现场选定 {offer.unit}，签约期限 "
                                           f"{offer.sign_by:%Y-%m-%d}。", messages.SUCCESS)
                return redirect(self._change_url(offer))
            form = CounterFindForm(initial={"round": round_entry.round_id, "ref": round_entry.ref}, user=request.user)
        else:
            form = CounterFindForm(request.GET or None, user=request.user)
            if form.is_bound and form.is_valid():
                round_entry = (RoundEntry.objects.filter(round=form.cleaned_data["round"],
                                                         ref=form.cleaned_data["ref"].strip())
                               .select_related("round", "entry__application__applicant").first())
                if round_entry is None:
                    form.add_error("ref", "该配租方案中没有这个轮候编号。")
        if round_entry is not None:
            context.update(
                re=round_entry, household=mask_name(round_entry.entry.application.applicant.real_name or ""),
                state=services.window_state(round_entry), live_offer=selectors.live_offer_of(round_entry),
                units=selectors.units_left(round_entry))
        context["form"] = form
        return TemplateResponse(request, "admin/allocation/offer_counter.html", context)

    def _round_entry(self, request, pk):
        from gongzufang.scoping import get_in_scope_or_404

        return get_in_scope_or_404(request.user, RoundEntry.objects.select_related(
            "round", "entry__application__applicant"), pk)
