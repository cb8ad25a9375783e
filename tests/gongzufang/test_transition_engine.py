"""The one transition engine (gongzufang.workflow, ADR 0009): every lifecycle status is a protected FSM
field, changed only by a transition that checks scope, permission and guards, records one row and
sends its side effects on commit."""

import pytest
from django.apps import apps
from django.db import transaction
from django_fsm import FSMFieldMixin

from applications.models import Application
from complaints.models import Feedback, FeedbackStatusChange
from gongzufang import workflow
from gongzufang.errors import TransitionNotAllowed
from gongzufang.models import ApiClient, Article
from housing.models import Unit, UnitStatusChange
from tests.housing import factories as stock

pytestmark = pytest.mark.django_db

# Fields named like a status that are not a lifecycle: a department's answer is a fact, not a state.
NOT_LIFECYCLES = {("applications", "checkresult", "status")}
LIFECYCLE_NAMES = {"status", "listing"}


def _lifecycle_fields():
    for model in apps.get_models():
        if model.__name__.startswith("Historical"):  # simple-history's copies follow their model
            continue
        for field in model._meta.concrete_fields:
            if field.name in LIFECYCLE_NAMES and (model._meta.app_label, model._meta.model_name,
                                                  field.name) not in NOT_LIFECYCLES:
                yield model, field


def test_every_lifecycle_status_is_a_protected_fsm_field():
    found = list(_lifecycle_fields())
    assert {(m.__name__, f.name) for m, f in found} >= {
        ("Application", "status"), ("Unit", "status"), ("Unit", "listing"), ("Feedback", "status"),
        ("Article", "status"), ("ApiClient", "status")}
    for model, field in found:
        assert isinstance(field, FSMFieldMixin), f"{model.__name__}.{field.name} is not an FSM field"
        assert field.protected, f"{model.__name__}.{field.name} is not protected"
        assert getattr(model, "status_log", None) is not None, f"{model.__name__} declares no status_log"


@pytest.mark.parametrize("model,field", [
    (Application, "status"), (Unit, "status"), (Unit, "listing"), (Feedback, "status"), (Article, "status"),
    (ApiClient, "status"),
], ids=lambda v: getattr(v, "__name__", v))
def test_a_status_cannot_be_assigned_directly(model, field):
    obj = model()
    with pytest.raises(AttributeError, match="Direct .* modification is not allowed"):
        setattr(obj, field, "anything")


def test_a_unit_of_another_district_is_not_found_and_nothing_is_recorded(bob):
    _e, _b, (unit,) = stock.stock("230602", units=1)  # 萨尔图区; bob works in 龙凤区
    with pytest.raises(workflow.NotFound):
        workflow.transition(unit, "withdraw", actor=bob, opinion="越权")
    unit.refresh_from_db()
    assert unit.listing == Unit.Listing.PUBLISHED
    assert not UnitStatusChange.objects.filter(unit=unit, field="listing", to_status="withdrawn").exists()


def test_a_refused_transition_says_why_in_chinese_and_changes_nothing(dave):
    _e, building, _u = stock.stock("230602", units=0)
    unit = stock.unit(building)
    workflow.transition(unit, "occupy", actor=dave, opinion="入住")
    with pytest.raises(TransitionNotAllowed, match="只有空置可配的房屋可以发布"):
        workflow.transition(unit, "publish", actor=dave)
    with pytest.raises(TransitionNotAllowed, match="当前状态为“已入住”，不能变更为“已预订”"):
        workflow.transition(unit, "reserve", actor=dave)
    assert list(UnitStatusChange.objects.filter(unit=unit).values_list("to_status", flat=True)) == ["occupied"]


def test_one_change_row_names_who_at_which_level_from_what_to_what_and_why(dave):
    _e, _b, (unit,) = stock.stock("230602", units=1)
    change = workflow.transition(unit, "withdraw", actor=dave, opinion="信息核对")
    assert (change.field, change.from_status, change.to_status, change.actor, change.actor_level, change.opinion) == (
        "listing", "published", "withdrawn", dave, "district", "信息核对")
    assert Unit.objects.get(pk=unit.pk).listing == "withdrawn"


def test_side_effects_wait_for_the_commit_and_vanish_with_a_rollback(alice, dave, django_capture_on_commit_callbacks):
    from complaints import services as feedback_services

    item, _created = feedback_services.feedback_submit(submitter=alice, kind="complaint", category="maintenance",
                                                      text="楼道灯坏了", district=dave.district)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, pytest.raises(RuntimeError), \
            transaction.atomic():
        workflow.transition(workflow.lock(item), "reply_with", actor=dave, opinion="已派人维修", text="已派人维修", by=dave)
        raise RuntimeError("the caller's transaction fails after the transition")
    assert callbacks == []  # nothing was sent for a change that never happened
    assert not FeedbackStatusChange.objects.filter(feedback=item, to_status="replied").exists()
    assert Feedback.objects.get(pk=item.pk).status == "submitted"

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change = workflow.transition(item, "reply_with", actor=dave, opinion="已派人维修", text="已派人维修", by=dave)
    assert len(callbacks) == 1
    assert FeedbackStatusChange.objects.get(pk=change.pk).notified_at is None  # not sent before the commit
    callbacks[0]()
    assert FeedbackStatusChange.objects.get(pk=change.pk).notified_at is not None


def test_bulk_transitions_skip_with_reasons_and_treat_another_area_as_missing(dave):
    _e, _b, mine = stock.stock("230602", units=2)
    _e2, _b2, (theirs,) = stock.stock("230603", units=1)
    result = workflow.transition_many(Unit, [mine[0].pk, mine[1].pk, mine[1].pk, theirs.pk], "withdraw", actor=dave,
                                      opinion="核对")
    assert sorted(result.changed) == sorted(u.pk for u in mine)
    assert result.skipped == {theirs.pk: "记录不存在。"}
    assert UnitStatusChange.objects.filter(to_status="withdrawn").count() == 2


def test_buttons_are_the_labelled_transitions_this_user_may_take_now(dave, bob, chen):
    _e, _b, (unit,) = stock.stock("230602", units=1)
    names = [a.name for a in workflow.available_actions(unit, dave)]
    assert "withdraw" in names and "publish" not in names  # published: withdrawing is what is left
    assert workflow.available_actions(unit, bob) == []  # another district sees no button at all
    assert workflow.available_actions(unit, None) == []


def test_the_review_buttons_come_from_the_model_not_from_a_table():
    from applications.review import services as review

    declared = {a.name for a in workflow.declared_actions(Application)}
    assert set(review.ACTION_NAMES) == declared
    assert review.action_of("reject").style == "danger" and review.action_of("reject").needs_opinion
