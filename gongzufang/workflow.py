"""The one way a status changes (ADR 0009): `transition(obj, name, actor=…, opinion=…)`.

Every lifecycle status in the portal is a protected django-fsm-2 field; its transitions are
`@transition` methods on the model, with their guards as `conditions` and who may take them as
`permission`. This module is the only caller of those methods. For one object, `transition`

1. locks the row (`select_for_update`; `lock()` below, or several rows in primary-key order),
2. checks scope — an actor who cannot see the object is told it is not found, as for a wrong id —
   and permission (the transition's `permission`, with its friendly `custom["denied"]` text),
3. checks the source state and every condition, refusing with the condition's own Chinese text,
4. runs the transition, saves the status field(s), writes one status-change row (who, role level,
   when, from, to, opinion) and enqueues the model's side effects with `transaction.on_commit`.

`transition_many` does the same for many rows at once (bulk publish, a batch), reporting each row
it skipped and why. `available_actions(obj, user)` lists the transitions a user may take now, with
their labels: the admin's buttons and the API's action endpoints are built from it, so there is no
second table of who may do what.

A model opts in by declaring `status_log = StatusLog(...)` naming its status-change model. The
transition's `custom` dict carries what people see:

    @transition(field=status, source=Status.SUBMITTED, target=Status.ACCEPTED,
                permission=may("applications.accept_application", denied="受理由街道受理员办理。"),
                conditions=[materials_complete],
                custom={"label": "受理", "verb": "受理"})
    def accept(self): ...

- `label`: the button's text; transitions without one are not offered as buttons (system steps).
- `verb`: completes the refusal "当前状态为“X”，不能{verb}。" (defaults to the label).
- `needs_opinion`, `style` ("danger" shows in red), `saves` (other fields the method sets).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import FSMModelMixin

from gongzufang.errors import PortalError, TransitionNotAllowed
from gongzufang.models.users import Level


class NotFound(PortalError):
    """The object is not there — or not in the actor's area, which looks the same (DESIGN §3)."""

    code = "not_found"
    status = 404


class PermissionDenied(PortalError):
    """Another level's step (the API answers 400, as it always has for this)."""

    code = "wrong_level"
    status = 400


# --- declarations on models ------------------------------------------------------------------------


class Lifecycle(FSMModelMixin):
    """Base of every model with a protected FSM status: `refresh_from_db` works (django-fsm-2), and
    `full_clean` leaves the status alone (it would otherwise assign it, which protection refuses;
    only the transitions decide its value)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ()) | self._get_protected_fsm_fields()
        return super().clean_fields(exclude=exclude)


@dataclass(frozen=True)
class StatusLog:
    """Where a model's status changes are written.

    `model`: "app_label.ModelName" of a `gongzufang.models.StatusChange` subclass; `fk`: its foreign
    key to the changed object; `field_column`: for a model with several FSM fields, the column of the
    log that names which one changed; `on_commit_task`: a Celery task name run with the change's pk
    once the change is committed (messages, follow-up work)."""

    model: str
    fk: str
    field_column: str = ""
    on_commit_task: str = ""
    save_all: bool = False  # save the whole row (its services set other fields before the transition)
    not_found: str = ""  # what an outsider is told, e.g. "未找到该申请。"

    def log_model(self):
        return apps.get_model(self.model)


def guard(message: str | Callable[[Any], str]):
    """Mark a condition with the refusal people read when it does not hold:

        @guard("只有空置可配的房屋可以发布。")
        def is_vacant(unit): return unit.status == Unit.Status.VACANT
    """

    def wrap(condition):
        condition.refusal = message
        return condition

    return wrap


def may(*perms: str, roles: Iterable[str] = (), denied: str | Callable[[Any, Any], str] = "",
        check: Callable[[Any, Any], bool] | None = None):
    """A transition `permission`: a superuser, or a user holding every permission in `perms`, with one
    of `roles` when given, and passing `check(instance, user)` when given. `denied` is what a user
    who may not is told. System actors (None) are not asked: the engine skips permission for them."""
    roles = tuple(str(r) for r in roles)

    def permission(instance, user) -> bool:
        if _is_api_client(user):
            return True  # a district system's token: its writes are authorised by the API (can_write, scope)
        if getattr(user, "is_superuser", False):
            return check(instance, user) if check else True
        if roles and str(getattr(user, "role", "")) not in roles:
            return False
        if perms and not all(user.has_perm(p) for p in perms):
            return False
        return check(instance, user) if check else True

    permission.denied = denied
    return permission


# --- what a user sees --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A transition offered to a user: the admin shows a button, the API an endpoint."""

    name: str
    label: str
    needs_opinion: bool = False
    style: str = "default"  # "default" or "danger"
    field: str = "status"


@dataclass
class TransitionResult:
    """What a bulk transition did: ids changed, and for each id skipped the reason in Chinese."""

    changed: list[int] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    changes: list[models.Model] = field(default_factory=list)

    def __bool__(self):
        return bool(self.changed)


# --- introspection -------------------------------------------------------------------------------------


def _method(model_or_obj, name):
    method = getattr(type(model_or_obj) if isinstance(model_or_obj, models.Model) else model_or_obj, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise PortalError(_("未知的操作。"), code="unknown_action")
    return method, meta


def _field_name(meta) -> str:
    return meta.field if isinstance(meta.field, str) else meta.field.name


def transitions_of(model) -> list[tuple[str, Any]]:
    """(name, FSMMeta) of every transition of `model`, in the order they are declared."""
    found = []
    for name in dir(model):
        attr = getattr(model, name, None)
        meta = getattr(attr, "_django_fsm", None)
        if meta is not None:
            # The method's own line (the fsm wrapper's is the same for every transition).
            code = getattr(getattr(attr, "__wrapped__", None), "__code__", None) or getattr(attr, "__code__", None)
            found.append((getattr(code, "co_firstlineno", 0), name, meta))
    return [(name, meta) for _line, name, meta in sorted(found, key=lambda t: (t[0], t[1]))]


def _custom(transition) -> dict:
    return transition.custom or {}


def _label(obj, field_name, value) -> str:
    choices = dict(obj._meta.get_field(field_name).choices or [])
    return str(choices.get(value, value))


def _text(message, *args) -> str:
    return str(message(*args) if callable(message) else message)


# --- scope -----------------------------------------------------------------------------------------------


def visible(model, actor):
    """The rows of `model` that `actor` may act on: the model's `workflow_visible(actor)` when it has
    one (applicants see their own), else its scoped `for_user` (DESIGN §3); everything for the system."""
    if actor is None:
        return model._default_manager.all()
    hook = getattr(model, "workflow_visible", None)
    if hook is not None:
        return hook(actor)
    return model._default_manager.for_user(actor)


def may_see(obj, actor) -> bool:
    """Whether `actor` may act on `obj` at all (the system always may)."""
    return actor is None or visible(type(obj), actor).filter(pk=obj.pk).exists()


def _require_visible(obj, actor):
    if not may_see(obj, actor):
        spec = getattr(type(obj), "status_log", None)
        raise NotFound(getattr(spec, "not_found", "") or _("未找到该记录。"))


def lock(obj_or_model, pk=None):
    """The row locked for update (in the caller's transaction), marked so `transition` uses it as is."""
    model = type(obj_or_model) if isinstance(obj_or_model, models.Model) else obj_or_model
    pk = obj_or_model.pk if pk is None else pk
    try:
        locked = model._default_manager.select_for_update().get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("未找到该记录。")) from None
    locked._workflow_locked = True
    return locked


def lock_many(model, ids) -> list:
    """Rows locked in primary-key order, so two bulk actions over overlapping rows cannot deadlock."""
    rows = list(model._default_manager.select_for_update().filter(pk__in=list(ids)).order_by("pk"))
    for row in rows:
        row._workflow_locked = True
    return rows


# --- checks ------------------------------------------------------------------------------------------------


def refusal(obj, name, actor) -> str | None:
    """Why `actor` may not take transition `name` on `obj` now (None: they may). Scope is not checked
    here; `transition` does that first."""
    _m, meta = _method(obj, name)
    field_name = _field_name(meta)
    current = getattr(obj, field_name)
    t = meta.get_transition(current)
    if t is None or not meta.has_transition(current):
        # Who may act is told before what state it is in (a clerk pressing the district's button).
        for any_t in meta.transitions.values():
            if actor is not None and any_t.permission and not any_t.has_perm(obj, actor):
                return _denied(any_t, obj, actor)
            break
        custom = _any_custom(meta)
        if custom.get("refused"):
            return _text(custom["refused"], obj)
        verb = custom.get("verb") or custom.get("label") or _("执行此操作")
        return _("当前状态为“%(current)s”，不能%(verb)s。") % {"current": _label(obj, field_name, current), "verb": verb}
    if actor is not None and t.permission and not t.has_perm(obj, actor):
        return _denied(t, obj, actor)
    for condition in t.conditions or []:
        if not condition(obj):
            message = getattr(condition, "refusal", None) or _("不符合办理条件。")
            return _text(message, obj)
    return None


def _denied(t, obj, actor) -> str:
    denied = getattr(t.permission, "denied", "") or _custom(t).get("denied") or _("您没有权限办理此事项。")
    return _text(denied, obj, actor) if callable(denied) else str(denied)


def _any_custom(meta) -> dict:
    """The `custom` of a transition method (the same on each of its sources)."""
    for t in meta.transitions.values():
        if t.custom:
            return t.custom
    return {}


def _refuse(obj, name, actor):
    message = refusal(obj, name, actor)
    if message is None:
        return
    _m, meta = _method(obj, name)
    t = meta.get_transition(getattr(obj, _field_name(meta))) or next(iter(meta.transitions.values()), None)
    if t is not None and actor is not None and t.permission and not t.has_perm(obj, actor):
        raise PermissionDenied(message)
    raise TransitionNotAllowed(message, code="transition_not_allowed")


# --- writing ---------------------------------------------------------------------------------------------


def actor_level(actor):
    if actor is None:
        return Level.SYSTEM
    return getattr(actor, "level", Level.SYSTEM)


def _is_api_client(actor) -> bool:
    return actor is not None and getattr(actor, "_meta", None) is not None and actor._meta.label == "gongzufang.ApiClient"


def _log_row(obj, *, field_name, from_status, to_status, actor, opinion):
    spec: StatusLog = type(obj).status_log
    log_model = spec.log_model()
    values = {spec.fk: obj, "from_status": from_status or "", "to_status": to_status, "opinion": str(opinion or "")}
    if spec.field_column:
        values[spec.field_column] = field_name
    if _is_api_client(actor):
        # A district system's token acts; the row names the token (where the log can) and its level.
        values["actor"] = None
        values["actor_level"] = Level.CITY if actor.district_id is None else Level.DISTRICT
        if any(f.name == "api_client" for f in log_model._meta.fields):
            values["api_client"] = actor
        elif actor.name and actor.name not in values["opinion"]:
            values["opinion"] = f"{values['opinion']}（接口：{actor.name}）".lstrip()
    else:
        values["actor"] = actor
        values["actor_level"] = actor_level(actor)
    return log_model(**values)


def _enqueue(spec: StatusLog, change_pks: list[int]):
    if not spec.on_commit_task or not change_pks:
        return

    def send():
        from gongzufang.jobs import task_named

        task = task_named(spec.on_commit_task)
        for pk in change_pks:
            task.delay(pk)

    transaction.on_commit(send)


def _save_fields(obj, meta, field_name) -> list[str]:
    fields = [field_name]
    for t in meta.transitions.values():
        fields += list(_custom(t).get("saves", ()))
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        fields.append("updated_at")
    return list(dict.fromkeys(fields))


def transition(obj, name, *, actor, opinion="", save=True, **kwargs):
    """Take transition `name` on `obj` as `actor` (None: the system). Returns the status-change row.

    `obj` is used as it is when it came from `lock()` in the caller's transaction (the caller goes on
    writing to it); otherwise its row is locked here and `obj` is updated to match."""
    spec = getattr(type(obj), "status_log", None)
    if spec is None:
        raise TypeError(f"{type(obj).__name__} has no status_log; declare one to use the workflow engine")
    _m, meta = _method(obj, name)
    field_name = _field_name(meta)
    with transaction.atomic():
        if getattr(obj, "_workflow_locked", False):
            locked = obj
        else:
            _require_visible(obj, actor)
            locked = lock(obj)
        if locked is obj:
            _require_visible(obj, actor)
        _refuse(locked, name, actor)
        before = getattr(locked, field_name)
        getattr(locked, name)(**kwargs)
        if save:
            locked.save(update_fields=None if spec.save_all else _save_fields(locked, meta, field_name))
        change = _log_row(locked, field_name=field_name, from_status=before, to_status=getattr(locked, field_name),
                          actor=actor, opinion=opinion)
        change.save()
        _enqueue(spec, [change.pk])
    if locked is not obj:
        _copy_state(locked, obj)
    return change


def record_start(obj, *, actor, opinion="", field_name="status"):
    """The first row of an object's history: created in its initial status ("" → status), written
    beside the insert by the service that creates it, with the same side effects as a change."""
    spec: StatusLog = type(obj).status_log
    change = _log_row(obj, field_name=field_name, from_status="", to_status=getattr(obj, field_name),
                      actor=actor, opinion=opinion)
    change.save()
    _enqueue(spec, [change.pk])
    return change


def copy_state(source, target):
    """Bring the caller's instance up to date from the locked row a service worked on, without tripping
    the protected-field guard (a service that locks with `lock()` and transitions the locked copy calls
    this so that the object it was given shows the new state)."""
    for f in source._meta.concrete_fields:
        target.__dict__[f.attname] = source.__dict__.get(f.attname)


_copy_state = copy_state  # the engine's own name for it


def transition_many(model, ids, name, *, actor, opinion="", before_save=None, bulk_save=None) -> TransitionResult:
    """Take transition `name` on every row of `model` in `ids` that allows it (rows locked in primary-key
    order). Rows outside the actor's area count as missing. `before_save(obj)` may touch each changed
    object; `bulk_save(objs, fields)` replaces the plain `bulk_update` (e.g. to keep row history)."""
    spec = model.status_log
    _m, meta = _method(model, name)
    field_name = _field_name(meta)
    ids = list(dict.fromkeys(int(i) for i in ids))
    result = TransitionResult()
    if not ids:
        return result
    with transaction.atomic():
        allowed_ids = set(visible(model, actor).filter(pk__in=ids).values_list("pk", flat=True))
        rows = lock_many(model, allowed_ids)
        changed, logs = [], []
        for obj in rows:
            message = refusal(obj, name, actor)
            if message:
                result.skipped[obj.pk] = message
                continue
            before = getattr(obj, field_name)
            getattr(obj, name)()
            if before_save:
                before_save(obj)
            changed.append(obj)
            logs.append(_log_row(obj, field_name=field_name, from_status=before, to_status=getattr(obj, field_name),
                                 actor=actor, opinion=opinion))
            result.changed.append(obj.pk)
        if changed:
            fields = _save_fields(changed[0], meta, field_name)
            if "updated_at" in fields:
                from django.utils import timezone

                now = timezone.now()
                for obj in changed:
                    obj.updated_at = now
            if bulk_save:
                bulk_save(changed, fields)
            else:
                model._default_manager.bulk_update(changed, fields)
            result.changes = spec.log_model()._default_manager.bulk_create(logs)
            _enqueue(spec, [c.pk for c in result.changes if c.pk])
    for pk in ids:
        if pk not in result.changed and pk not in result.skipped:
            result.skipped[pk] = _("记录不存在。")
    return result


# --- what to offer -----------------------------------------------------------------------------------------


def available_actions(obj, user, *, field_name: str | None = None) -> list[Action]:
    """Transitions with a label that `user` may take from `obj`'s current state, in declaration order.
    Conditions are not checked here: a button whose condition fails explains itself when pressed."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    if not may_see(obj, user):
        return []
    actions = []
    for name, meta in transitions_of(type(obj)):
        fname = _field_name(meta)
        if field_name and fname != field_name:
            continue
        t = meta.get_transition(getattr(obj, fname))
        if t is None or not meta.has_transition(getattr(obj, fname)):
            continue
        custom = _custom(t)
        if not custom.get("label"):
            continue
        if t.permission and not t.has_perm(obj, user):
            continue
        actions.append(Action(name=name, label=str(custom["label"]), needs_opinion=bool(custom.get("needs_opinion")),
                              style=custom.get("style", "default"), field=fname))
    return actions


def declared_actions(model) -> list[Action]:
    """Every transition of `model` offered as a button, as declared (label, opinion, style)."""
    actions = []
    for name, meta in transitions_of(model):
        custom = _any_custom(meta)
        if custom.get("label"):
            actions.append(Action(name=name, label=str(custom["label"]), needs_opinion=bool(custom.get("needs_opinion")),
                                  style=custom.get("style", "default"), field=_field_name(meta)))
    return actions


def action_custom(model, name) -> dict:
    """What the model declares about transition `name` (label, summary, description, example…)."""
    _m, meta = _method(model, name)
    return _any_custom(meta)


def check(obj, name, *, actor):
    """Raise what `transition` would refuse now (not found, permission, state, guard), changing nothing."""
    _require_visible(obj, actor)
    _refuse(obj, name, actor)


def action_names(model) -> set[str]:
    """Every transition of `model` that may be offered as a button."""
    return {name for name, meta in transitions_of(model)
            if any(_custom(t).get("label") for t in meta.transitions.values())}
