"""Applications on public notice (公示) for the notice, review-form and admin-tool tests.

The review workflow that puts an application on notice (`applications.review.district_approve`)
walks it through street review and the department checks, which need the simulated exchange. These
tests are about what happens *during* the notice, so the status and period are set directly —
in tests only, never in the portal's code.
"""

from datetime import timedelta

from django.utils import timezone

from applications.models import Application, Status
from tests.applications.builders import submitted


def on_notice(application=None, *, starts_in=-1, lasts=7, **kwargs) -> Application:
    """An application whose notice started `starts_in` days from today (negative: in the past) and
    runs `lasts` days in all (the last day included)."""
    app = application or submitted(**kwargs)
    starts = timezone.localdate() + timedelta(days=starts_in)
    Application.objects.filter(pk=app.pk).update(status=Status.PUBLIC_NOTICE, notice_starts_on=starts,
                                                 notice_ends_on=starts + timedelta(days=lasts - 1))
    return Application.objects.get(pk=app.pk)
