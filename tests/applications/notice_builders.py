"""Applications on public notice (公示) for the notice, review-form and admin-tool tests.

They reach `public_notice` through the real review services (tests/applications/review_builders.py:
accepted, street-approved, department results stored, district-approved). The service starts the
notice the day after approval; these tests are about what happens *during* (or after) the notice, so
the period is then moved to the dates a test asks for — in tests only, never in the portal's code.
"""

from datetime import timedelta

from django.utils import timezone

from applications.models import Application, Status
from tests import factories
from tests.applications.builders import submitted
from tests.applications.review_builders import in_public_notice


def staff_for(app):
    clerk = factories.ClerkFactory(street=app.street)
    caseworker = factories.DistrictCaseworkerFactory(district=app.district)
    return clerk, caseworker


def on_notice(application=None, *, starts_in=-1, lasts=7, **kwargs) -> Application:
    """An application district-approved into public notice, whose notice started `starts_in` days from
    today (negative: in the past) and runs `lasts` days in all (the last day included)."""
    app = application or submitted(**kwargs)
    app = in_public_notice(app, *staff_for(app))
    assert app.status == Status.PUBLIC_NOTICE
    starts = timezone.localdate() + timedelta(days=starts_in)
    Application.objects.filter(pk=app.pk).update(notice_starts_on=starts,
                                                 notice_ends_on=starts + timedelta(days=lasts - 1))
    return Application.objects.get(pk=app.pk)
