"""Every URL pattern of the portal, walked from `gongzufang.urls` (after cisagov/manage.get.gov's
`test_url_auth`), recursively through every include — the admin and the API included.

1. Anonymous GET: a page that needs log-in sends the visitor to log in, the API answers 401, or the
   answer is 404. Only the patterns in PUBLIC (each with its reason) may answer 200.
2. Another district's id: for every pattern that takes an object's id, a district caseworker of
   萨尔图区 (230602) — or the API client of 萨尔图区 — given the id of an object of 龙凤区 (230603) gets
   404, by POST too where the view changes something, and nothing in the database moves. On the
   applicant's pages, another applicant's object answers 404 the same way.

A new pattern must be classified: with no path parameters it only gets the anonymous check; with
parameters it needs a generic rule below (the admin's standard views, the router's detail and actions),
an entry in PROBES, or a reason in NO_FOREIGN_ID. `test_every_pattern_is_classified` fails otherwise.

Views, services and builders are imported inside the functions: the applications package is being
reorganised, and URLs are reached through the URLconf, never through view modules.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

from tests import factories
from tests.conftest import DISTRICT_A, DISTRICT_B, api_client_for
from tests.scoping_samples import SAMPLES

pytestmark = pytest.mark.django_db

# ---------------------------------------------------------------------------------------- the URLconf


@dataclass(frozen=True)
class Route:
    parts: tuple  # the pattern objects from the root URLconf down to the view
    name: str | None  # with its namespaces, e.g. "admin:housing_unit_change"
    callback: object

    @property
    def text(self) -> str:
        return "".join(str(p.pattern) for p in self.parts)

    @property
    def params(self) -> list[str]:
        """Path parameters in order: named ones by name, unnamed regex groups as "0", "1", …"""
        found, positional = [], 0
        for part in self.parts:
            pattern = part.pattern
            if isinstance(pattern, RoutePattern):
                found += re.findall(r"<(?:\w+:)?(\w+)>", str(pattern))
            else:
                for group in re.finditer(r"\((\?P<(\w+)>)?[^)]*\)", str(pattern)):
                    if group.group(2):
                        found.append(group.group(2))
                    else:
                        found.append(str(positional))
                        positional += 1
        return found

    @property
    def id_params(self) -> list[str]:
        return [p for p in self.params if p != "format"]

    def url(self, **values) -> str:
        values = {k: str(v) for k, v in values.items()}
        values.setdefault("format", "json")
        out, positional = [], 0
        for part in self.parts:
            pattern = str(part.pattern.regex.pattern if isinstance(part.pattern, RegexPattern) else part.pattern)
            if isinstance(part.pattern, RoutePattern):
                out.append(re.sub(r"<(?:(\w+):)?(\w+)>",
                                  lambda m: ("." if m.group(1) == "drf_format_suffix" else "") + values[m.group(2)],
                                  pattern))
                continue

            def group(m):
                nonlocal positional
                if m.group(2):
                    return values[m.group(2)]
                positional += 1
                return values[str(positional - 1)]

            text = re.sub(r"\((\?P<(\w+)>)?[^)]*\)", group, pattern.lstrip("^").rstrip("$"))
            out.append(text.replace("/?", "/").replace("\\.", "."))
        return "/" + "".join(out)


def _walk(patterns, parents=(), namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, (*parents, entry), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route((*parents, entry), name, entry.callback)


ROUTES = list(_walk(get_resolver("gongzufang.urls").url_patterns))
BY_TEXT = {r.text: r for r in ROUTES}
assert len(BY_TEXT) == len(ROUTES), "two patterns with the same text: the test ids would clash"


def _area(route) -> str:
    return "admin" if route.text.startswith("admin/") else "api" if route.text.startswith("api/") else "site"


def _admin_model(route):
    """The model whose ModelAdmin serves this admin pattern, if any."""
    m = re.match(r"admin/(\w+)/(\w+)/", route.text)
    if not m:
        return None
    try:
        model = apps.get_model(m.group(1), m.group(2))
    except LookupError:
        return None
    from django.contrib import admin

    return model if model in admin.site._registry else None


def _district_bound(model) -> bool:
    return bool(model is not None and getattr(model, "scope_district_path", None))


# --------------------------------------------------------------------------- the objects the probes use


class World:
    """The objects a probe needs, built on first use through the real services and factories.
    "Theirs" belong to 龙凤区 (and to another applicant); "ours" to 萨尔图区 (and to `me`)."""

    def __init__(self, request):
        self._request = request

    def fixture(self, name):
        return self._request.getfixturevalue(name)

    @cached_property
    def district_a(self):
        return factories.district(DISTRICT_A)

    @cached_property
    def district_b(self):
        return factories.district(DISTRICT_B)

    def sample(self, model, district):
        return SAMPLES[model._meta.label_lower](district)

    @cached_property
    def me(self):
        from tests.applications.builders import applicant

        return applicant("王丽")

    @cached_property
    def other(self):
        from tests.applications.builders import applicant

        return applicant("李梅")

    @cached_property
    def my_draft(self):
        from tests.applications.builders import draft

        return draft(self.me, street=factories.first_street(DISTRICT_A))

    @cached_property
    def their_draft(self):
        from tests.applications.builders import draft

        return draft(self.other, street=factories.first_street(DISTRICT_B))

    @cached_property
    def their_application(self):
        """Submitted, in 龙凤区: what a caseworker of 萨尔图区 must not reach."""
        return self.sample(apps.get_model("applications", "Application"), self.district_b)

    @cached_property
    def our_application(self):
        return self.sample(apps.get_model("applications", "Application"), self.district_a)

    def member(self, application):
        return application.household.members.order_by("pk").first()

    def material(self, application):
        return application.materials.order_by("pk").first()

    def message(self, user, application):
        try:  # the message centre is moving to its own app (notifications/)
            from notifications.services import message_send
        except ImportError:
            from applications.services import site_message_send

            return site_message_send(recipient=user, title="进度通知", body="您的申请有新进度。",
                                     application=application)
        return message_send(recipient=user, title="进度通知", body="您的申请有新进度。", subject=application)

    def feedback(self, user, district):
        from complaints import services
        from tests.applications.builders import upload

        photo = upload("photo.png")
        item, _created = services.feedback_submit(submitter=user, kind="suggestion", category="other",
                                                  text="建议增加公交线路。", district=district, photos=[photo])
        return item

    @cached_property
    def their_feedback(self):
        return self.feedback(self.other, self.district_b)

    @cached_property
    def my_feedback(self):
        return self.feedback(self.me, self.district_a)

    def unpublished_stock(self, code):
        """An unpublished estate with an unpublished unit, each with a photo and the unit a floor plan."""
        from housing.models import EstatePhoto, UnitPhoto
        from tests.housing import factories as housing

        estate = housing.estate(code, published=False)
        unit = housing.unit(housing.building(estate), published=False)
        image = housing.image_bytes()
        unit.floor_plan.save("plan.jpg", ContentFile(image), save=True)
        estate_photo = EstatePhoto.objects.create(estate=estate, image=ContentFile(image, name="e.jpg"),
                                                  width=64, height=48)
        unit_photo = UnitPhoto.objects.create(unit=unit, image=ContentFile(image, name="u.jpg"), width=64, height=48)
        return {"estate": estate, "unit": unit, "estate_photo": estate_photo, "unit_photo": unit_photo}

    @cached_property
    def their_stock(self):
        return self.unpublished_stock(DISTRICT_B)

    @cached_property
    def our_stock(self):
        return self.unpublished_stock(DISTRICT_A)

    @cached_property
    def published_stock(self):
        from housing import services

        stock = self.unpublished_stock(DISTRICT_A)
        chen = factories.CityCaseworkerFactory()
        services.estate_publish(estate=stock["estate"], actor=chen)
        services.unit_publish(unit=stock["unit"], actor=chen)
        return stock

    @cached_property
    def article(self):
        from tests.gongzufang.articles_helpers import article_with_images

        return article_with_images(images=1, cover=True, attachment=True)

    @cached_property
    def notice_application(self):
        from tests.applications.notice_builders import on_notice

        return on_notice(street=factories.first_street(DISTRICT_B))


@pytest.fixture
def world(request):
    return World(request)


# ------------------------------------------------------------------------------- 1. anonymous visitors


@dataclass
class Public:
    reason: str
    values: object = None  # world -> URL values (a real public object), when the pattern takes any
    status: int = 200


def _guide_code(world):
    return {"code": apps.get_model("gongzufang", "AssistanceForm").objects.order_by("pk").first().code}


def _service_slug(world):
    from gongzufang.views import SERVICES

    stubs = [s["slug"] for s in SERVICES if not s["ready"]]
    return {"service": stubs[0] if stubs else SERVICES[0]["slug"]}  # with every service open: its old stub


def _any_service_stub() -> bool:
    from gongzufang.views import SERVICES

    return any(not s["ready"] for s in SERVICES)


def _public_round(world):
    """A published (not yet drawn) allocation round of 龙凤区: round pages are public in every district."""
    from allocation import services
    from allocation.models import AllocationRound

    district = world.district_b
    done = AllocationRound.objects.filter(district=district, status="published").first()
    if done is None:
        done = world.sample(AllocationRound, district)
        services.round_publish(round=done, actor=None)
    return {"pk": done.pk}


PUBLIC = {
    "home": Public("首页：anyone"),
    "rent:payments-notify": Public("the bank's payment notification: POST only, signed (DESIGN §8); a GET is 405",
                                   status=405),
    "service": Public("办事服务 stubs shown on the home page (once every service is open, an old stub address "
                      "redirects to its service)", _service_slug, status=200 if _any_service_stub() else 302),
    "rent:contract_check": Public("合同真伪核验: anyone holding a contract may check its SHA-256 and signature"),
    "rent:contract_verify": Public("the contract's QR code: its number, masked tenant, SHA-256 and signature check",
                                   lambda w: {"code": _lease_of(w.district_b).verification_code}),
    "login": Public("the log-in page itself"),
    "logout": Public("logging out is a POST; a GET is refused (405) for anyone", status=405),
    "healthz": Public("load balancer's health check"),
    "admin:login": Public("the admin's log-in page itself"),
    "admin:logout": Public("logging out of the admin; a visitor not logged in is sent to the admin index "
                           "(which then asks to log in)", status=302),
    "api-schema": Public("the API's OpenAPI schema is published for the districts' integrators"),
    "api-docs": Public("the API's Swagger page (the schema above, rendered)"),
    "housing:unit_search": Public("房源查询: published units are public"),
    "housing:unit_detail": Public("a published unit", lambda w: {"pk": w.published_stock["unit"].pk}),
    "housing:floor_plan": Public("a published unit's floor plan", lambda w: {"pk": w.published_stock["unit"].pk}),
    "housing:estate_detail": Public("a published estate", lambda w: {"pk": w.published_stock["estate"].pk}),
    "housing:estate_photo": Public("a published estate's photo",
                                   lambda w: {"pk": w.published_stock["estate_photo"].pk}),
    "housing:unit_photo": Public("a published unit's photo", lambda w: {"pk": w.published_stock["unit_photo"].pk}),
    "complaints:home": Public("意见反馈 landing page (how to give feedback; the form itself needs log-in)"),
    "applications:register": Public("registration"),
    "applications:login_sms": Public("log-in by SMS code"),
    "applications:password_reset": Public("password reset by SMS"),
    "applications:apply_home": Public("申请 landing page (explains what is needed; starting needs log-in)"),
    "applications:notice_list": Public("公示: the law requires the notice to be public"),
    "applications:notice_detail": Public("one application on 公示, and the public's objection form",
                                         lambda w: {"number": w.notice_application.number}),
    "info": Public("信息浏览 hub"),
    "article_list": Public("policy articles"),
    "article_detail": Public("a published article", lambda w: {"pk": w.article.pk}),
    "article_cover": Public("a published article's cover", lambda w: {"pk": w.article.pk}),
    "article_image": Public("a published article's image", lambda w: {"pk": w.article.images.first().pk}),
    "article_attachment": Public("a published article's PDF", lambda w: {"pk": w.article.attachments.first().pk}),
    "guide": Public("办事指南"),
    "guide_detail": Public("one form's guide", _guide_code),
    "allocation:rounds": Public("配租方案与摇号结果公示: the list of published rounds"),
    "allocation:round": Public("a published round: pool hash and commitment before the draw, the order after",
                               _public_round),
    "allocation:draw_json": Public("a published round's draw.json, for anyone to recompute", _public_round),
    "allocation:verifier": Public("the stand-alone verifier script (Python standard library only)"),
    "public_figures": Public("公开数据: the city-wide totals the bureau publishes (counts only, no personal data)"),
}

# Public steps that make no sense without the step before them: they send the visitor back to it.
PUBLIC_STEPS = {
    "applications:register_confirm": ("registration's second step", "applications:register"),
    "applications:login_sms_confirm": ("SMS log-in's second step", "applications:login_sms"),
    "applications:password_reset_confirm": ("password reset's second step", "applications:password_reset"),
}

# Plausible values for patterns that are not public and take parameters, for the anonymous check
# (where a probe below exists, its object's values are used instead).
PLAUSIBLE = {"pk": 1, "object_id": 1, "id": 1, "member_pk": 1, "material_pk": 1, "message_pk": 1,
             "content_type_id": 1, "action": "accept", "department": "vehicles", "service": "decision", "result_id": 1,
             "url": "nowhere/", "app_label": "housing", "key": "all", "0": 1, "1": 1, "format": "json"}


def _resolves_to(url, route) -> bool:
    """The filled-in URL reaches this very pattern (Django drops the regexes' "^" from the route)."""
    match = resolve(url)
    return match.func is route.callback and match.route.replace("^", "") == route.text.replace("^", "")


def _login_redirect(response, route):
    login = "/admin/login/" if _area(route) == "admin" else settings.LOGIN_URL
    if not login.startswith("/"):
        from django.urls import reverse

        login = reverse(login)
    return response.status_code == 302 and response["Location"].startswith(f"{login}?next=")


def _anonymous_values(route, world):
    public = _entry(PUBLIC, route)
    if public and public.values:
        return public.values(world)
    probes = _probes(route)
    if probes:
        return probes[0].values(world)
    return {p: PLAUSIBLE[p] for p in route.params}


@pytest.mark.parametrize("text", list(BY_TEXT))
def test_anonymous_get(client, world, text):
    route = BY_TEXT[text]
    url = route.url(**_anonymous_values(route, world))
    assert _resolves_to(url, route), url
    response = client.get(url)
    if _entry(PUBLIC, route):
        assert response.status_code == _entry(PUBLIC, route).status, (url, response.status_code)
    elif _entry(PUBLIC_STEPS, route):
        from django.urls import reverse

        assert response.status_code == 302 and response["Location"] == reverse(_entry(PUBLIC_STEPS, route)[1]), url
    elif _area(route) == "api":
        assert response.status_code == 401, (url, response.status_code)
        assert response.json()["code"] == "not_authenticated"
    else:
        assert _login_redirect(response, route) or response.status_code == 404, (url, response.status_code)


# --------------------------------------------------------------------------------- 2. another's id: 404


@dataclass
class Probe:
    """A request with the id of an object the user must not reach."""

    values: object  # world -> URL values naming the foreign object
    user: str = "dave"  # "dave" (district caseworker of 萨尔图区), "me" (an applicant) or "api_a"
    post: bool = False  # POST as well as GET (or only POST, for POST-only views)
    get: bool = True
    own: object = None  # world -> URL values of the user's own object (or None): not 404, so the URL is right
    data: dict = field(default_factory=dict)
    methods: tuple = ()  # other methods (the API's put/patch/delete)
    follow: bool = False  # follow redirects: the answer at the end must be 404


OPINION = {"opinion": "越权测试", "reply": "越权测试", "text": "越权测试", "reference": "X1", "post": "yes",
           "upheld": "on", "score": "5", "comment": "越权", "items": "id_card", "note": "越权", "reason": "越权",
           "agreed": "on", "confirm": "on"}


def _admin_probes(route, model):
    """The admin's standard views and its custom views on one object of a district-bound model."""
    tail = route.text.split(f"admin/{model._meta.app_label}/{model._meta.model_name}/", 1)[1]
    label = model._meta.label_lower

    def theirs(world):
        return world.sample(model, world.district_b)

    def ours(world):
        return world.sample(model, world.district_a)

    def ids(obj, extra=()):
        values = {"object_id": obj.pk, "id": obj.pk}
        if "0" in route.params:  # simple-history's form view: (object id, version id)
            version = obj.history.order_by("history_id").first()
            values = {"0": obj.pk, "1": version.history_id if version else 1}
        return values | dict(extra)

    extra = {}
    if "action" in route.params:
        # not "accept": …/<id>/act/accept/ is taken by the greedy <path:object_id>/accept/ before it
        extra["action"] = "street_approve"
    if "department" in route.params:
        extra["department"] = "vehicles"
    if "result_id" in route.params:
        extra["result_id"] = 1  # 人工核验 of one check result: the application's own 404 comes first
    if tail == "<path:object_id>/":  # the old-style address, which only redirects to the change page
        return [Probe(lambda w: ids(theirs(w)), follow=True)]
    posts = tail not in ("<path:object_id>/history/", "^([^/]+)/history/([^/]+)/$")

    def own(world):
        if label == "gongzufang.user" and "password" in tail:
            return None  # changing a caseworker's password is the city's
        if "result_id" in route.params:
            return None  # a result id of its own would need an unknown answer first (tests/applications/test_manual_check.py)
        obj = ours(world)
        if "0" in route.params and not obj.history.exists():
            return None  # base data (districts, streets, communities) is loaded without history rows
        return ids(obj, extra)

    return [Probe(lambda w: ids(theirs(w), extra), post=posts, data=OPINION, own=own)]


def _api_probes(route):
    cls = getattr(route.callback, "cls", None)
    actions = getattr(route.callback, "actions", None) or {}
    model = getattr(getattr(cls, "queryset", None), "model", None)
    if "pk" not in route.params or not _district_bound(model):
        return []
    label = model._meta.label_lower
    others = tuple(m for m in actions if m not in ("get", "head", "options") and m in cls.http_method_names)

    def theirs(world):
        return {"pk": SAMPLES[label](world.district_b).pk}

    def ours(world):
        return {"pk": SAMPLES[label](world.district_a).pk}

    is_action = set(actions) == {"post"}
    # The full ID numbers need a token allowed to read them (others get 403 whatever the id).
    user = "api_pii" if "full-id-numbers" in route.text else "api_a"
    return [Probe(theirs, user=user, get=not is_action, post=is_action, methods=() if is_action else others,
                  data={"opinion": "越权测试", "reply": "越权测试"}, own=None if is_action else ours)]


def _applicant_pages(values, *, own=None, post=False, get=True):
    """An applicant's page: another applicant's object (in 龙凤区) answers 404 to `me`, and to the
    district caseworker of 萨尔图区 too."""
    return [Probe(values, user="me", own=own, post=post, get=get, data=OPINION),
            Probe(values, user="dave", post=post, get=get, data=OPINION)]


def _step(**kw):
    return _applicant_pages(lambda w: {"pk": w.their_draft.pk}, own=lambda w: {"pk": w.my_draft.pk}, **kw)


PROBES = {
    # The applicant's own application, step by step (views_apply): another's answers 404.
    "applications:progress": _step(),
    "applications:resume": _step(),
    "applications:step_assistance": _step(post=True),
    "applications:members": _step(post=True),
    "applications:step_housing": _step(post=True),
    "applications:step_assets": _step(post=True),
    "applications:step_preferences": _step(post=True),
    "applications:step_place": _step(post=True),
    "applications:step_consent": _step(post=True),
    "applications:materials": _step(post=True),
    "applications:review": _step(),
    "applications:submit": _step(post=True, get=False),
    "applications:withdraw": _step(post=True),
    "applications:recheck": _step(post=True),
    "applications:member_edit": [
        *_applicant_pages(lambda w: {"pk": w.their_draft.pk, "member_pk": w.member(w.their_draft).pk},
                          own=lambda w: {"pk": w.my_draft.pk, "member_pk": w.member(w.my_draft).pk}, post=True),
        # one's own application, with another household's member
        Probe(lambda w: {"pk": w.my_draft.pk, "member_pk": w.member(w.their_draft).pk}, user="me", post=True,
              data=OPINION),
    ],
    "applications:member_delete": [
        *_applicant_pages(lambda w: {"pk": w.their_draft.pk, "member_pk": w.member(w.their_draft).pk},
                          post=True, get=False),
        Probe(lambda w: {"pk": w.my_draft.pk, "member_pk": w.member(w.their_draft).pk}, user="me", post=True,
              get=False),
    ],
    "applications:material_remove": [
        *_applicant_pages(lambda w: {"pk": w.their_draft.pk, "material_pk": w.material(w.their_draft).pk},
                          post=True, get=False),
        Probe(lambda w: {"pk": w.my_draft.pk, "material_pk": w.material(w.their_draft).pk}, user="me", post=True,
              get=False),
    ],
    "applications:material_file": _applicant_pages(lambda w: {"pk": w.material(w.their_draft).pk},
                                                   own=lambda w: {"pk": w.material(w.my_draft).pk}),
    "messages/<int:message_pk>/": [
        Probe(lambda w: {"message_pk": w.message(w.other, w.their_draft).pk}, user="me",
              own=lambda w: {"message_pk": w.message(w.me, w.my_draft).pk}),
    ],
    # The printable review form is for caseworkers in scope.
    "applications:staff_review_form": [
        Probe(lambda w: {"pk": w.their_application.pk}, own=lambda w: {"pk": w.our_application.pk}),
        Probe(lambda w: {"pk": w.their_application.pk}, user="me"),
    ],
    # 意见反馈: one's own items only; photos for their sender or a caseworker in scope.
    "complaints:detail": _applicant_pages(lambda w: {"pk": w.their_feedback.pk},
                                          own=lambda w: {"pk": w.my_feedback.pk}),
    "complaints:rate": _applicant_pages(lambda w: {"pk": w.their_feedback.pk}, post=True, get=False),
    "complaints:close": _applicant_pages(lambda w: {"pk": w.their_feedback.pk}, post=True, get=False),
    "complaints:photo": _applicant_pages(lambda w: {"pk": w.their_feedback.photos.first().pk},
                                         own=lambda w: {"pk": w.my_feedback.photos.first().pk}),
    "complaints:rate_service": _applicant_pages(lambda w: {"service": "decision", "pk": w.their_draft.pk},
                                                post=True),
    # Housing stock: published stock is public (PUBLIC above); unpublished stock of another district is 404
    # to staff (their own district's is a preview).
    "housing:unit_detail": [Probe(lambda w: {"pk": w.their_stock["unit"].pk}),
                            Probe(lambda w: {"pk": w.their_stock["unit"].pk}, user="me")],
    "housing:estate_detail": [Probe(lambda w: {"pk": w.their_stock["estate"].pk}),
                              Probe(lambda w: {"pk": w.their_stock["estate"].pk}, user="me")],
    "housing:floor_plan": [Probe(lambda w: {"pk": w.their_stock["unit"].pk},
                                 own=lambda w: {"pk": w.our_stock["unit"].pk})],
    "housing:estate_photo": [Probe(lambda w: {"pk": w.their_stock["estate_photo"].pk},
                                   own=lambda w: {"pk": w.our_stock["estate_photo"].pk})],
    "housing:unit_photo": [Probe(lambda w: {"pk": w.their_stock["unit_photo"].pk},
                                 own=lambda w: {"pk": w.our_stock["unit_photo"].pk})],
    # 选房 (allocation/choice): the household's own round entry and offer only.
    "allocation:choice": _applicant_pages(lambda w: {"pk": _their_offer(w).round_entry_id}),
    "allocation:choose_unit": _applicant_pages(
        lambda w: {"pk": _their_offer(w).round_entry_id, "unit_pk": _their_offer(w).unit_id}, post=True),
    "allocation:offer": _applicant_pages(lambda w: {"pk": _their_offer(w).pk}, post=True),
    # The admin's "view on site" jump must not follow another district's object.
    "admin:view_on_site": [
        Probe(lambda w: {"content_type_id": _content_type(w.their_application).pk,
                         "object_id": w.their_application.pk}),
        Probe(lambda w: {"content_type_id": _content_type(w.their_feedback).pk, "object_id": w.their_feedback.pk}),
        Probe(lambda w: {"content_type_id": _content_type(w.their_stock["unit"]).pk,
                         "object_id": w.their_stock["unit"].pk}),
    ],
}


def _lease_of(district):
    from tests.scoping_samples import SAMPLES

    return SAMPLES["rent.lease"](district)


def _their_lease(w):
    if not hasattr(w, "_their_lease"):
        w._their_lease = _lease_of(w.district_b)
    return w._their_lease


def _their_photo(w):
    if not hasattr(w, "_their_photo"):
        from tests.rent.builders import lease_with_photo

        w._their_photo = lease_with_photo("230603").handover.photos.first()
    return w._their_photo


# 租赁合同 (rent/): a tenant's own lease only; the PDF also for a caseworker in scope.
PROBES.update({
    "rent:lease": _applicant_pages(lambda w: {"pk": _their_lease(w).pk}),
    "rent:lease_pdf": _applicant_pages(lambda w: {"pk": _their_lease(w).pk}),
    "rent:renewal_pdf": _applicant_pages(lambda w: {"pk": _their_lease(w).pk, "sequence": 1}),
    "rent:lease_sign_code": _applicant_pages(lambda w: {"pk": _their_lease(w).pk}, post=True, get=False),
    "rent:lease_sign": _applicant_pages(lambda w: {"pk": _their_lease(w).pk}, post=True, get=False),
    "rent:handover_photo": _applicant_pages(lambda w: {"pk": _their_photo(w).pk}),
})


def _their_payment_order(w):
    if not hasattr(w, "_their_order"):
        from tests.scoping_samples import SAMPLES

        w._their_order = SAMPLES["rent.paymentorder"](w.district_b)
    return w._their_order


def _their_payment(w):
    if not hasattr(w, "_their_payment"):
        from tests.scoping_samples import SAMPLES

        w._their_payment = SAMPLES["rent.payment"](w.district_b)
    return w._their_payment


# 缴费 (rent/payments/): a tenant's own orders and receipts only; another's answers 404 (to a caseworker too).
PROBES.update({
    "rent:payment-order": _applicant_pages(lambda w: {"order_no": _their_payment_order(w).order_no}),
    "rent:payment-order-return": _applicant_pages(lambda w: {"order_no": _their_payment_order(w).order_no}),
    "rent:payment-receipt": _applicant_pages(lambda w: {"pk": _their_payment(w).pk}),
})


def _their_offer(world):
    from tests.allocation.choice_builders import their_offer

    return their_offer(world)


# 资格年审与退出 (tenancy/, issue 16): the household's own review, exit case and lease only; another's
# answers 404 (to a caseworker too: these are the household's pages).
def _their_tenancy(w, label):
    from tests.scoping_samples import SAMPLES

    cache = w.__dict__.setdefault("_their_tenancy", {})
    if label not in cache:
        cache[label] = SAMPLES[label](w.district_b)
    return cache[label]


PROBES.update({
    "tenancy:review": _applicant_pages(lambda w: {"pk": _their_tenancy(w, "tenancy.annualreview").pk}, post=True),
    "tenancy:exit": _applicant_pages(lambda w: {"pk": _their_tenancy(w, "tenancy.exitcase").pk}, post=True),
    "tenancy:exit_apply": _applicant_pages(lambda w: {"lease_pk": _their_lease(w).pk}, post=True),
})


def _content_type(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj)


# Patterns with parameters that name no object of a district or of a person, with the reason.
NO_FOREIGN_ID = {
    "service": "a slug of a static service stub",
    "guide_detail": "a form's code; the guide is city-wide and public",
    "applications:notice_detail": "公示 is public by law, whichever district",
    "article_detail": "articles are city-wide (written by the city); drafts are 404 to anyone outside the city",
    "article_cover": "as article_detail",
    "article_image": "as article_detail",
    "article_attachment": "as article_detail",
    "admin:app_list": "an app label, not an object",
    "api-root": "the API's index (format suffix only)",
    "api-statistics": "figures of the token's own district; no object id",
    "rent:contract_verify": "a random verification code printed on the contract; the page is public (PUBLIC)",
    "allocation:round": "published rounds are public in every district (the draw must be checkable by anyone); "
                        "a draft round is 404 to everyone",
    "allocation:draw_json": "as allocation:round",
    "statistics:export": "a table's name (districts, all, processing…); the district is in the query string and "
                         "another one is 404 (tests/gongzufang/test_dashboard.py)",
}

ADMIN_STANDARD = re.compile(
    r"^(<path:object_id>/(history|delete|change)?/?|\^\(\[\^/\]\+\)/history/\(\[\^/\]\+\)/\$|<id>/password/)$")


def _entry(table, route):
    """A table's entry for the pattern, by its URL name or its route text (the address stays when an
    app is reorganised and its namespace changes)."""
    return table.get(route.name, table.get(route.text))


def _probes(route) -> list[Probe] | None:
    """The probes for a pattern; [] when it takes no foreign id (with a reason); None: unclassified."""
    if not route.id_params:
        return []
    if _entry(PROBES, route) is not None:
        return _entry(PROBES, route)
    if _entry(NO_FOREIGN_ID, route) is not None:
        return []
    area = _area(route)
    if area == "admin":
        if route.text == "admin/(?P<url>.*)$":
            return []  # the catch-all: any unknown address under /admin/
        model = _admin_model(route)
        if model is None:
            return None
        if not _district_bound(model):
            return []  # city-wide data (calendars, parameters, articles, groups, log-in records)
        if not SAMPLES.get(model._meta.label_lower):
            return None
        return _admin_probes(route, model)
    if area == "api":
        cls = getattr(route.callback, "cls", None)
        model = getattr(getattr(cls, "queryset", None), "model", None)
        if model is not None and not _district_bound(model):
            return []  # city-wide data: parameters, articles
        return _api_probes(route) or None
    return None


def _unclassified():
    return [r.text for r in ROUTES if _probes(r) is None]


def test_every_pattern_is_classified():
    assert _unclassified() == [], (
        "classify these patterns in tests/test_url_auth.py: PROBES (another district's or person's id "
        "answers 404) or NO_FOREIGN_ID (with the reason)")


def test_the_sweep_reaches_every_part_of_the_portal():
    texts = list(BY_TEXT)
    for prefix in ("admin/applications/application/", "admin/housing/unit/", "api/v1/", "apply/", "feedback/",
                   "housing/", "articles/", "notice/"):
        assert any(t.startswith(prefix) for t in texts), prefix
    assert len(ROUTES) > 300


def test_public_entries_name_existing_patterns():
    known = {r.name for r in ROUTES} | set(BY_TEXT)
    for table in (PUBLIC, PUBLIC_STEPS, PROBES, NO_FOREIGN_ID):
        assert set(table) - known == set(), "entries naming no pattern (renamed? moved?)"


def test_no_action_has_a_format_suffix_url():
    """A suffixed action URL (…/publish.json) reached a method that takes no `format`: a 500 (fixed by
    gongzufang.api.urls.AppRouter; tests/gongzufang/test_api_format_suffix.py)."""
    for route in ROUTES:
        cls = getattr(route.callback, "cls", None)
        if hasattr(cls, "get_extra_actions") and "format" in route.params:
            extra = {a.__name__ for a in cls.get_extra_actions()}
            assert not set((route.callback.actions or {}).values()) & extra, route.text


FOREIGN = [
    pytest.param(text, i, id=f"{text}#{i}")
    for text, route in BY_TEXT.items() for i, _ in enumerate(_probes(route) or [])
]


def _models_to_watch():
    """The portal's own models (every app inside the repository) and auth's; not the visit counter."""
    root = str(settings.BASE_DIR)
    return [m for m in apps.get_models()
            if (m._meta.app_config.path.startswith(root) and ".venv" not in m._meta.app_config.path
                or m._meta.app_label == "auth")
            and m._meta.label_lower != "gongzufang.dailyvisit"]


def _state(models):
    """Every row of the portal's own tables, as values: nothing may change."""
    return {m._meta.label_lower: list(m.objects.order_by("pk").values()) for m in models}


def _client_for(user, world, client):
    if user == "api_pii":
        from gongzufang.services.api_clients import api_client_issue

        token_holder, token = api_client_issue(name="萨尔图区实名核验", district=world.district_a, can_view_full_id=True)
        token_holder.token = token
        return api_client_for(token_holder)
    if user == "api_a":
        return api_client_for(world.fixture("api_a"))
    client.force_login(world.fixture("dave") if user == "dave" else world.me)
    return client


@pytest.mark.parametrize(("text", "index"), FOREIGN)
def test_another_districts_id_is_404(client, world, text, index):
    route = BY_TEXT[text]
    probe = _probes(route)[index]
    url = route.url(**probe.values(world))
    assert _resolves_to(url, route), url
    own_values = probe.own(world) if probe.own else None
    own_url = route.url(**own_values) if own_values else None
    agent = _client_for(probe.user, world, client)
    if probe.user.startswith("api"):
        agent.get("/api/v1/")  # the token's last use is recorded once a minute: before the snapshot
    models = _models_to_watch()
    before = _state(models)

    api = probe.user.startswith("api")
    kwargs = {"format": "json"} if api else {}
    if probe.follow:
        kwargs["follow"] = True
    if probe.get:
        response = agent.get(url, follow=probe.follow)
        assert response.status_code == 404, (url, response.status_code)
    if probe.post:
        response = agent.post(url, probe.data, **kwargs)
        assert response.status_code == 404, ("POST", url, response.status_code)
    for method in probe.methods:
        response = getattr(agent, method)(url, probe.data, **kwargs)
        assert response.status_code == 404, (method.upper(), url, response.status_code)
    assert _state(models) == before, "a refused request changed something"

    if own_url:
        response = agent.get(own_url)
        assert response.status_code != 404, ("own object", own_url)
