"""The printable review form (审核表, issue 5): one A4 document per application with every level's
opinion, who gave it and when, the rule results and the decision — for the paper file and for
signatures.

Rendered with WeasyPrint from applications/templates/applications/review_form.html. The servers have
no internet and the form carries text people typed, so the renderer may load nothing from outside:
`LocalOnlyFetcher` refuses every URL that is not a local file (an opinion containing markup is
escaped by the template anyway). The Chinese font is asked for by family name and found by
fontconfig on the machine (Debian `fonts-wqy-microhei`).
"""

import logging

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from applications.models import RuleEvaluation, Status
from applications.review.selectors import objection_counts
from gongzufang.models.users import Level
from gongzufang.pii import mask_id_number, mask_name, mask_phone

FONT_FAMILIES = '"WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif'

for _name in ("weasyprint", "weasyprint.progress", "fontTools"):  # their INFO lines would drown the logs
    logging.getLogger(_name).setLevel(logging.WARNING)


class LocalOnlyFetcher(URLFetcher):
    """Fetches local files only; any other URL is refused (and noted in `refused`)."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=("file",), **kwargs)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        if not str(url).lower().startswith("file:"):
            self.refused.append(url)
            raise ValueError(f"审核表不加载外部资源：{url[:80]}")
        return super().fetch(url, headers)


def _actor_name(change) -> str:
    actor = change.actor
    if actor is None:
        return "系统"
    name = actor.real_name or actor.username
    # The applicant's own steps: masked like everywhere else on the form.
    return mask_name(name) if change.actor_level == Level.APPLICANT else name


def _outcome(objection) -> str:
    if objection.resolved_at is None:
        return "未处理"
    return "异议成立" if objection.upheld else "异议不成立"


def objection_rows(application) -> list[dict]:
    """Each objection as printed: the objector masked, the text, when, and what came of it."""
    return [
        {"objector": mask_name(o.name), "contact": mask_phone(o.contact) if "@" not in o.contact else "（电子邮箱）",
         "text": o.text, "when": timezone.localtime(o.created_at), "outcome": _outcome(o),
         "resolution": o.resolution,
         "resolved_at": timezone.localtime(o.resolved_at) if o.resolved_at else None,
         "resolved_by": (o.resolved_by.real_name or o.resolved_by.username) if o.resolved_by else ""}
        for o in application.objections.select_related("resolved_by").order_by("created_at", "pk")
    ]


def review_form_context(application) -> dict:
    statuses = dict(Status.choices)
    levels = dict(Level.choices)
    applicant = application.applicant
    members = [
        {"relationship": m.get_relationship_display(), "name": mask_name(m.name),
         "id_number": mask_id_number(m.id_number), "sex": m.get_sex_display(),
         "marital_status": m.get_marital_status_display(), "monthly_income": m.monthly_income}
        for m in application.household.members.all()
    ]
    changes = [
        {"when": timezone.localtime(c.created_at), "level": str(levels.get(c.actor_level, c.actor_level)),
         "from": str(statuses.get(c.from_status, c.from_status or "—")),
         "to": str(statuses.get(c.to_status, c.to_status)), "opinion": c.opinion, "actor": _actor_name(c)}
        for c in application.status_changes.select_related("actor").order_by("created_at", "id")
    ]
    evaluation = RuleEvaluation.objects.filter(application=application, is_current=True).first()
    decided = application.status in (Status.APPROVED, Status.REJECTED)
    return {
        "application": application,
        "applicant_name": mask_name(applicant.real_name or ""),
        "applicant_id": mask_id_number(applicant.id_number or ""),
        "members": members,
        "changes": changes,
        "evaluation": evaluation,
        "decision": application.get_status_display() if decided else "",
        "decided_at": timezone.localtime(application.decided_at) if application.decided_at else None,
        "objections": objection_counts(application),
        "objection_rows": objection_rows(application),
        "printed_at": timezone.localtime(),
        "font_families": FONT_FAMILIES,
    }


def review_form_html(application) -> str:
    return render_to_string("applications/review_form.html", review_form_context(application))


def review_form_document(application, *, url_fetcher=None):
    """The laid-out document (pages with their boxes); tests read its text."""
    return HTML(string=review_form_html(application), url_fetcher=url_fetcher or LocalOnlyFetcher()).render()


def review_form_pdf(application, *, url_fetcher=None) -> bytes:
    return review_form_document(application, url_fetcher=url_fetcher).write_pdf()
