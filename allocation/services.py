"""Every write of the waitlist and the allocation rounds (DESIGN §7, issue 13), keyword-only, each in one
transaction. The unit choice and offers are written by allocation/choice/ (its own services).

Waitlist
- `waitlist_enter(*, application, actor)`: the receiver of `applications.signals.application_approved`
  calls it inside the approving transaction; idempotent (one entry per application, OneToOne).
- `entry_switch_to_subsidy`, `entry_make_ineligible` (staff, with a reason), `entry_count_refusal`
  (a refusal that counts; suspends at the parameter's count), `entries_resume_due`,
  `entries_expire_overdue` (the longest wait, a parameter; a daily job).
- `offer_accept(*, offer, actor)`: the lease is signed — offer → signed, entry → allocated, unit →
  occupied (housing.services), in one transaction.

Rounds (配租方案) and the draw (摇号)
- `round_create`, `round_refill` (draft only), `round_publish` (freezes the pool: pool hash, secret and
  commitment), `round_draw` (entropy; `gzf-lottery-v1`, allocation/lottery.py; once only, under the
  round's row lock), `round_void` (city, with a reason).
"""

from datetime import datetime, time, timedelta
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from gongzufang import workflow
from gongzufang.errors import PortalError, TransitionNotAllowed
from gongzufang.parameters import PRIORITY_GROUPS, param
from gongzufang.scoping import scope_of
from housing import selectors as housing_selectors
from housing import services as housing_services
from housing.models import Unit

from . import lottery
from .models import (
    CASEWORKER,
    LIVE_OFFER_STATUSES,
    AllocationRound,
    DrawPosition,
    Offer,
    RoundEntry,
    RoundUnit,
    WaitlistEntry,
    WaitlistSequence,
)

SEVERE_DISABILITY = {"grade_1", "grade_2"}


def add_months(day, months):
    """The same day `months` later (the month's last day when it has no such day)."""
    import calendar

    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
GENERAL_GROUP = "general"
GENERAL_LABEL = "一般轮候家庭"


def group_label(group: str) -> str:
    return PRIORITY_GROUPS.get(group, GENERAL_LABEL)


# --- waitlist: entering ---------------------------------------------------------------------------


def priority_of(application, *, on=None) -> tuple[str, int]:
    """(priority group, rank) from the category and the certificates the departments confirmed (the
    best of the groups the household belongs to; ranks are dated parameters)."""
    district = application.district_id
    groups = set()
    if application.category == "minimum_living":
        groups.add("minimum_living")
    if application.household.members.filter(disability__in=SEVERE_DISABILITY).exists():
        groups.add("severe_disability")
    for result in application.check_results.filter(is_current=True, department__in=["civil_affairs", "disability"]):
        facts = result.facts or {}
        if result.department == "civil_affairs" and (facts.get("minimum_living") or facts.get("extreme_poverty")):
            groups.add("minimum_living")
        if result.department == "disability" and facts.get("disabled") and str(facts.get("grade")) in ("1", "2"):
            groups.add("severe_disability")
    ranked = [(param(f"waitlist.priority_rank.{g}", on=on, district=district), g) for g in groups]
    if not ranked:
        return "", param("waitlist.priority_rank.general", on=on, district=district)
    rank, group = min(ranked)
    return group, rank


def bedrooms_for(size: int, *, on=None, district=None) -> int:
    """The largest unit a household of `size` may have (DESIGN §7; smaller allowed, larger not)."""
    return param(f"allocation.max_bedrooms.size_{min(max(size, 1), 5)}", on=on, district=district)


def _next_number(district, year) -> str:
    row, _created = WaitlistSequence.objects.select_for_update().get_or_create(district=district, year=year)
    WaitlistSequence.objects.filter(pk=row.pk).update(last=F("last") + 1)
    row.refresh_from_db(fields=["last"])
    return f"LH{district.code}-{year}-{row.last:05d}"


def waitlist_enter(*, application, actor=None, on=None) -> WaitlistEntry:
    """The waitlist entry of an approved 实物配租 application (made once; a second call returns it)."""
    if application.assistance_type != "unit":
        raise PortalError("只有实物配租申请进入轮候。")
    if application.status != "approved":
        raise PortalError("申请尚未审核通过，不能进入轮候。")
    with transaction.atomic():
        existing = WaitlistEntry.objects.filter(application=application).first()
        if existing is not None:
            return existing
        decided = application.decided_at
        qualified_on = on or (timezone.localdate(decided) if decided else timezone.localdate())
        group, rank = priority_of(application, on=qualified_on)
        size = application.household.members.count()
        district = application.district
        entry = WaitlistEntry(
            application=application, application_number=application.number, district=district,
            number=_next_number(district, qualified_on.year), priority_group=group, group_rank=rank,
            qualified_on=qualified_on, household_size=size,
            max_bedrooms=bedrooms_for(size, on=qualified_on, district=district.pk),
        )
        entry.save()
        workflow.record_start(entry, actor=actor, opinion=f"审核通过，进入轮候（{group_label(group)}）")
    return entry


def on_application_approved(sender, *, application, actor=None, **kwargs):
    """Receiver of `applications.signals.application_approved` (connected in AllocationConfig.ready)."""
    if application.assistance_type == "unit":
        waitlist_enter(application=application, actor=actor)


# --- waitlist: leaving -----------------------------------------------------------------------------


def _reason(reason) -> str:
    text = str(reason or "").strip()
    if not text:
        raise PortalError("请写明原因。", fields={"opinion": ["required"]})
    if len(text) > 200:
        raise PortalError("原因不能超过 200 个字。", fields={"opinion": ["too_long"]})
    return text


def _leave(entry, name, *, actor, reason, on=None):
    reason = _reason(reason)
    on = on or timezone.localdate()
    workflow.transition(entry, name, actor=actor, opinion=reason, on=on, reason=reason)
    return entry


def entry_switch_to_subsidy(*, entry, actor, reason) -> WaitlistEntry:
    return _leave(entry, "switch_to_subsidy", actor=actor, reason=reason)


def entry_make_ineligible(*, entry, actor, reason) -> WaitlistEntry:
    return _leave(entry, "make_ineligible", actor=actor, reason=reason)


def entry_count_refusal(*, entry, actor, reason, on=None) -> WaitlistEntry:
    """One refusal that counts (not choosing in one's window, refusing, not signing in time), always
    a row of the household's waitlist history with its reason. At the parameter's count the entry is
    suspended for the parameter's months."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = workflow.lock(entry)
        locked.refusals += 1
        limit = param("allocation.refusals_before_suspension", on=on, district=locked.district_id)
        if locked.refusals >= limit and locked.status == WaitlistEntry.Status.WAITING:
            months = param("allocation.suspension_months", on=on, district=locked.district_id)
            until = add_months(on, months)
            workflow.transition(locked, "suspend", actor=actor, until=until,
                                opinion=f"{reason}；累计拒绝 {locked.refusals} 次，暂停轮候至 {until:%Y-%m-%d}")
        else:
            months = param("allocation.suspension_months", on=on, district=locked.district_id)
            rest = (f"满 {limit} 次将暂停轮候 {months} 个月" if locked.status == WaitlistEntry.Status.WAITING
                    else "轮候已暂停")
            workflow.transition(locked, "count_refusal", actor=actor,
                                opinion=f"{reason}；计入拒绝配租，累计 {locked.refusals} 次（{rest}）")
    workflow.copy_state(locked, entry)
    return entry


def entries_resume_due(*, on=None) -> int:
    """Suspended entries whose suspension has ended go back to waiting (a daily job; idempotent)."""
    on = on or timezone.localdate()
    ids = list(WaitlistEntry.objects.filter(status=WaitlistEntry.Status.SUSPENDED, suspended_until__lte=on)
               .values_list("pk", flat=True))
    return len(workflow.transition_many(WaitlistEntry, ids, "resume", actor=None, opinion="暂停期满，恢复轮候").changed)


def entries_expire_overdue(*, on=None, chunk=500) -> int:
    """Entries past the longest waiting period (a dated parameter, per district) leave the waitlist.
    Idempotent and resumable: each run takes only entries still waiting or suspended, chunk by chunk."""
    on = on or timezone.localdate()
    done = 0
    districts = (WaitlistEntry.objects.filter(status__in=["waiting", "suspended"])
                 .values_list("district_id", flat=True).distinct())
    for district_id in list(districts):
        years = param("waitlist.max_wait_years", on=on, district=district_id)
        cutoff = add_months(on, -12 * years)
        reason = f"自取得资格之日起已满 {years} 年（最长轮候期），退出轮候"
        last_pk = 0
        while True:
            ids = list(WaitlistEntry.objects.filter(
                district_id=district_id, status__in=["waiting", "suspended"], qualified_on__lte=cutoff, pk__gt=last_pk,
            ).order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                break
            last_pk = ids[-1]
            result = workflow.transition_many(
                WaitlistEntry, ids, "expire", actor=None, opinion=reason,
                before_save=lambda e, r=reason: _set_left(e, on, r),
            )
            done += len(result.changed)
    return done


def _set_left(entry, on, reason):
    entry.left_on, entry.leave_reason = on, reason


# --- the lease is signed ----------------------------------------------------------------------------


def offer_accept(*, offer, actor) -> Offer:
    """The household signs its lease: in one transaction the offer becomes signed, the waitlist entry
    allocated (it leaves the waitlist) and the unit occupied. Called by the lease side (rent)."""
    with transaction.atomic():
        locked = workflow.lock(offer)
        entry = workflow.lock(WaitlistEntry, locked.round_entry.entry_id)
        workflow.transition(locked, "sign", actor=actor, opinion="签订租赁合同")
        unit = locked.unit
        workflow.transition(entry, "allocate", actor=actor, on=timezone.localdate(),
                            reason=f"已签约配租：{unit}", opinion=f"签订租赁合同，配租 {unit}")
        staff = actor if getattr(actor, "is_caseworker", False) else None
        if unit.status != "occupied":
            housing_services.unit_set_status(unit=unit, to_status="occupied", actor=staff,
                                             opinion=f"签订租赁合同（轮候编号 {entry.number}）")
    workflow.copy_state(locked, offer)
    return offer


# --- rounds --------------------------------------------------------------------------------------------


def _may_manage(actor, district):
    if actor is None:
        return
    if not CASEWORKER(None, actor):
        raise workflow.PermissionDenied(CASEWORKER.denied)
    scope = scope_of(actor)
    if not (scope.city_wide or scope.district_id == district.pk):
        raise workflow.NotFound("未找到该区县。")


def round_units_matching(district, filters) -> list:
    """Published vacant units of the district matching the round's filters, not held by a live offer."""
    units = housing_selectors.public_units().filter(district=district, status="vacant")
    if filters.get("bedrooms"):
        units = units.filter(bedrooms__in=[int(b) for b in filters["bedrooms"]])
    if filters.get("estates"):
        units = units.filter(estate_id__in=[int(e) for e in filters["estates"]])
    if filters.get("max_rent"):
        units = units.filter(monthly_rent__lte=filters["max_rent"])
    live = Offer.objects.filter(status__in=LIVE_OFFER_STATUSES).values("unit_id")
    return list(units.exclude(pk__in=live).order_by("pk").values_list("pk", "bedrooms"))


def round_entries_matching(district, *, smallest_bedrooms, groups=(), limit=None):
    """Waiting entries of the district that fit at least one unit (smaller allowed), in waitlist order."""
    entries = WaitlistEntry.objects.filter(district=district, status=WaitlistEntry.Status.WAITING,
                                           max_bedrooms__gte=smallest_bedrooms).in_order()
    # One round at a time: not those in a published round, or in a drawn one whose window is still to close.
    busy = RoundEntry.objects.filter(
        Q(round__status=AllocationRound.Status.PUBLISHED)
        | Q(round__status=AllocationRound.Status.DRAWN, draw__window_closes_at__gt=timezone.now())
    ).values("entry_id")
    entries = entries.exclude(pk__in=busy)
    if groups:
        entries = entries.filter(priority_group__in=[("" if g == GENERAL_GROUP else g) for g in groups])
    if limit:
        entries = entries[:limit]
    return list(entries.values_list("pk", "number", "group_rank"))


def _fill(round_):
    RoundUnit.objects.filter(round=round_).delete()
    RoundEntry.objects.filter(round=round_).delete()
    units = round_units_matching(round_.district, round_.unit_filters or {})
    RoundUnit.objects.bulk_create([RoundUnit(round=round_, unit_id=pk) for pk, _b in units], batch_size=2000)
    if not units:
        return
    smallest = min(b for _pk, b in units)
    entries = round_entries_matching(round_.district, smallest_bedrooms=smallest,
                                     groups=(round_.unit_filters or {}).get("groups") or (),
                                     limit=round_.max_households)
    RoundEntry.objects.bulk_create(
        [RoundEntry(round=round_, entry_id=pk, ref=ref, group_rank=rank) for pk, ref, rank in entries],
        batch_size=2000,
    )


def _positive(value, label, default):
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise PortalError(f"{label}须为正整数。") from None
    if number < 1:
        raise PortalError(f"{label}须为正整数。")
    return number


def round_create(*, district, name, actor, bedrooms=(), estates=(), groups=(), max_rent=None,
                 max_households=None, households_per_window=None, window_hours=None,
                 choice_starts_at=None) -> AllocationRound:
    """A draft round: the units (published vacant units by filters) and the households (waiting entries
    that fit them, all or the first N in order). The choice windows default to the parameters."""
    _may_manage(actor, district)
    name = str(name or "").strip()
    if not name:
        raise PortalError("请填写方案名称。", fields={"name": ["required"]})
    filters = {k: v for k, v in {"bedrooms": [int(b) for b in bedrooms], "estates": [int(e) for e in estates],
                                 "groups": list(groups), "max_rent": str(max_rent) if max_rent else ""}.items() if v}
    with transaction.atomic():
        round_ = AllocationRound(
            district=district, name=name[:80], unit_filters=filters, created_by=actor if getattr(actor, "pk", None) else None,
            max_households=_positive(max_households, "参加家庭数上限", None),
            households_per_window=_positive(households_per_window, "每批选房户数",
                                            param("allocation.households_per_window", district=district.pk)),
            window_hours=_positive(window_hours, "每批选房时长", param("allocation.window_hours", district=district.pk)),
            choice_starts_at=choice_starts_at,
        )
        round_.save()
        workflow.record_start(round_, actor=actor if getattr(actor, "role", None) else None, opinion="新建配租方案")
        _fill(round_)
    return round_


def _frozen_refusal(round_):
    if round_.status != AllocationRound.Status.DRAFT:
        raise TransitionNotAllowed("配租方案已发布，房源和家庭名单已冻结，不能更改。", code="pool_frozen")


def round_refill(*, round, actor) -> AllocationRound:
    """Select the units and households again (draft only: a published pool is frozen)."""
    with transaction.atomic():
        locked = workflow.lock(round)
        _may_manage(actor, locked.district)
        _frozen_refusal(locked)
        _fill(locked)
    return locked


def round_remove_entry(*, round, entry, actor) -> None:
    """Take one household out of a draft round (refused once published)."""
    with transaction.atomic():
        locked = workflow.lock(round)
        _may_manage(actor, locked.district)
        _frozen_refusal(locked)
        RoundEntry.objects.filter(round=locked, entry=entry).delete()


def pool_of(round_) -> list[tuple[str, int]]:
    """(ref, group_rank) of the round's pool, in ref order (so the pool document's sort has nothing to do)."""
    return list(RoundEntry.objects.filter(round=round_).order_by("ref").values_list("ref", "group_rank"))


def round_publish(*, round, actor, opinion="") -> AllocationRound:
    """Freeze the pool; publish its hash and the commitment to a fresh secret."""
    with transaction.atomic():
        locked = workflow.lock(round)
        workflow.check(locked, "publish", actor=actor)
        secret = lottery.new_secret()
        locked.secret = secret
        locked.commitment = lottery.commitment(secret)
        locked.pool_hash = lottery.pool_hash(pool_of(locked))
        locked.published_at = timezone.now()
        workflow.transition(locked, "publish", actor=actor,
                            opinion=opinion or f"发布配租方案，名单哈希 {locked.pool_hash[:16]}…")
    workflow.copy_state(locked, round)
    return round


def _choice_start(round_, drawn_at):
    if round_.choice_starts_at:
        return round_.choice_starts_at
    day = timezone.localtime(drawn_at).date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(9, 0)))


def round_draw(*, round, actor, public_entropy) -> AllocationRound:
    """Draw once: seed from the secret, the public entropy and the pool hash; order by
    (group_rank, score, ref); the positions and choice windows written as new rows (DrawPosition).
    A second draw is refused, also when two are pressed at once (the round's row is locked, and the
    status checked under the lock; the rows' primary key would refuse a second set as well)."""
    problem = lottery.entropy_problem(public_entropy)
    with transaction.atomic():
        locked = workflow.lock(round)
        workflow.check(locked, "draw", actor=actor)
        if problem:
            raise PortalError(problem, fields={"public_entropy": ["invalid"]})
        refs, ranks, pks = _columns(RoundEntry.objects.filter(round=locked).order_by("ref")
                                    .values_list("ref", "group_rank", "pk"))
        pool = list(zip(refs, ranks, strict=True))
        if lottery.pool_hash(pool) != locked.pool_hash:
            raise TransitionNotAllowed("名单与发布时的名单哈希不一致，名单可能被改动，不能摇号。", code="pool_changed")
        seed = lottery.seed(locked.secret, public_entropy, locked.pool_hash)
        ordered = lottery.ranked(pool, seed)
        pk_of = dict(zip(refs, pks, strict=True))
        now = timezone.now()
        start = _choice_start(locked, now)
        store_positions(locked.pk, list(map(pk_of.__getitem__, map(itemgetter(2), ordered))), start=start,
                        per_window=locked.households_per_window, window=timedelta(hours=locked.window_hours))
        locked.public_entropy, locked.seed = public_entropy, seed
        locked.drawn_at = now
        locked.drawn_by = actor if getattr(actor, "role", None) else None
        if locked.choice_starts_at is None:
            locked.choice_starts_at = start
        workflow.transition(locked, "draw", actor=actor, opinion=f"摇号，公开随机数：{public_entropy}")
    workflow.copy_state(locked, round)
    return round


def _columns(rows):
    """A query's rows as its columns (three empty tuples when there are none)."""
    columns = tuple(zip(*rows, strict=True))
    return columns or ((), (), ())


def store_positions(round_id, round_entry_ids, *, start, per_window, window):
    """Write the draw's result: one new DrawPosition row per round entry, `round_entry_ids` in draw
    order (position 1 first), with its choice window (household i, 0-based, chooses in window
    i // per_window + 1, which opens `window` after the one before).

    On PostgreSQL one INSERT … SELECT over one array, the ids in draw order sent as one text literal:
    the database numbers them (`WITH ORDINALITY`), sorts them by key, computes each window and writes
    the rows in key order, so the table's one index grows at its end (no foreign-key triggers: see
    DrawPosition). Python only joins the ids into the literal. Elsewhere (SQLite) bulk_create of the
    same rows. (Measured in ADR 0012: sorting in Python and sending two arrays cost a
    quarter more CPU for the same rows.)"""
    if connection.vendor != "postgresql":
        span = window
        DrawPosition.objects.bulk_create([
            DrawPosition(round_entry_id=pk, round_id=round_id, position=i + 1, window_no=i // per_window + 1,
                         window_opens_at=start + span * (i // per_window),
                         window_closes_at=start + span * (i // per_window + 1))
            for i, pk in enumerate(round_entry_ids)], batch_size=2000)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO allocation_drawposition (round_entry_id, round_id, position, window_no, window_opens_at, "
            "window_closes_at) "
            "SELECT u.id, %(round)s, u.n, (u.n - 1) / %(per)s + 1, "
            "%(start)s + ((u.n - 1) / %(per)s) * %(seconds)s * interval '1 second', "
            "%(start)s + ((u.n - 1) / %(per)s + 1) * %(seconds)s * interval '1 second' "
            "FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS u(id, n) ORDER BY u.id",
            {"round": int(round_id), "per": int(per_window), "start": start, "seconds": int(window.total_seconds()),
             "ids": _array_text(round_entry_ids)})


def _array_text(numbers) -> str:
    """Integers as one PostgreSQL array literal ('{1,2,3}'): one text parameter the server parses in
    one go (a Python list would be sent as ARRAY[1, 2, 3, …], one expression per element to parse)."""
    return "{" + ",".join(map(str, numbers)) + "}"


def round_void(*, round, actor, reason) -> AllocationRound:
    """The city voids a round, with a reason; its held offers are withdrawn (their units free again).
    A new round is a new commitment."""
    reason = _reason(reason) if reason is not None else _reason("")
    with transaction.atomic():
        locked = workflow.lock(round)
        workflow.transition(locked, "void", actor=actor, opinion=reason, reason=reason)
        held = Offer.objects.filter(round_entry__round=locked, status=Offer.Status.HELD)
        withdrawn = workflow.transition_many(
            Offer, list(held.values_list("pk", flat=True)), "withdraw", actor=None,
            opinion=f"配租方案作废：{reason}",
            before_save=lambda o: setattr(o, "reason", f"配租方案作废：{reason}"),
        ).changed
        # Their units were reserved for those households: vacant again, for the next round.
        reserved = Unit.objects.filter(offers__pk__in=withdrawn, status=Unit.Status.RESERVED)
        if withdrawn:
            staff = actor if getattr(actor, "is_caseworker", False) else None
            housing_services.units_set_status_bulk(units=list(reserved), to_status=Unit.Status.VACANT,
                                                   actor=staff, opinion=f"配租方案作废：{reason}")
    workflow.copy_state(locked, round)
    return round


def smallest_unit_bedrooms(round_) -> int | None:
    return RoundUnit.objects.filter(round=round_).aggregate(m=Min("unit__bedrooms"))["m"]



# --- 变更申报: changes declared during the wait -----------------------------------------------------


def entry_declare_change(*, entry, actor, incomes=None, leaving=(), housing_type=None, housing_area=None,
                         note="") -> tuple[WaitlistEntry, list[str]]:
    """The household declares a change (a member's monthly income, members who have left, its housing).
    The eligibility rules run again with the parameters in force today on the household as it now is;
    a household that no longer qualifies leaves the waitlist (不再符合条件) with the rules' reasons,
    which are returned; otherwise the change is recorded in its history (and its size and unit size
    follow). `incomes`: {member id: Decimal}; `leaving`: member ids. New members are declared at the
    street office (their department records must be checked first)."""
    import dataclasses
    from decimal import Decimal, InvalidOperation

    from applications.eligibility import rules

    with transaction.atomic():
        locked = workflow.lock(entry)
        workflow.check(locked, "declare_change", actor=actor)
        app = locked.application
        facts = rules.HouseholdFacts.from_application(app)
        by_id = {m.id: m for m in facts.members}
        incomes = incomes or {}
        leaving = {int(pk) for pk in leaving}
        if any(by_id.get(pk) is None or by_id[pk].is_applicant for pk in leaving):
            raise PortalError("申请人本人不能申报迁出；其他成员请从家庭成员中选择。", fields={"leaving": ["invalid"]})
        lines, members = [], []
        for m in facts.members:
            if m.id in leaving:
                lines.append(f"{m.relationship_label}{m.name}迁出")
                continue
            if m.id in incomes:
                try:
                    value = Decimal(str(incomes[m.id])).quantize(Decimal("0.01"))
                except (InvalidOperation, ValueError):
                    raise PortalError(f"{m.name}的月收入须为金额，如 1500.00。", fields={"incomes": ["invalid"]}) from None
                if value < 0:
                    raise PortalError("月收入不能为负数。", fields={"incomes": ["invalid"]})
                if value != m.declared_income:
                    lines.append(f"{m.relationship_label}{m.name}月收入 {m.declared_income} → {value} 元")
                m = dataclasses.replace(m, declared_income=value)
            members.append(m)
        changes = {"members": tuple(members)}
        if housing_type and housing_type != facts.housing_type:
            changes["housing_type"] = housing_type
            from applications.models import HousingType

            label = dict(HousingType.choices).get(housing_type)
            if label is None:
                raise PortalError("请选择现住房类型。", fields={"housing_type": ["invalid"]})
            lines.append(f"现住房类型变更为“{label}”")
        if housing_area is not None and housing_area != facts.housing_area:
            changes["housing_area"] = housing_area
            lines.append(f"现住房面积变更为 {housing_area} ㎡")
        if note:
            lines.append(str(note).strip()[:200])
        if not lines:
            raise PortalError("没有需要申报的变更。")
        changed = dataclasses.replace(facts, **changes)
        today = timezone.localdate()
        results = rules.run_rules(changed, rules.DepartmentFacts.from_application(app),
                                  rules.Params(on=today, district=app.district_id))
        failed = [r["reason"] for r in results if r["passed"] is False]
        declared = "变更申报：" + "；".join(lines)
        if failed:
            reason = "；".join(failed)[:200]
            workflow.transition(locked, "make_ineligible", actor=None, on=today, reason=reason,
                                opinion=f"{declared}。按现行标准重新审核，不再符合条件：{reason}")
        else:
            size = len(members)
            workflow.transition(locked, "declare_change", actor=actor, household_size=size,
                                max_bedrooms=bedrooms_for(size, on=today, district=locked.district_id),
                                opinion=f"{declared}。按现行标准重新审核，仍符合条件")
    workflow.copy_state(locked, entry)
    return entry, failed
