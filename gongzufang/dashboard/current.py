"""The as-of-today figures' snapshot (ADR 0016, second amendment): `refresh_current_figures()` computes each
registered `Current` (gongzufang.statistics.CURRENTS) for every district and stores its rows, so a dashboard
reads a few dozen rows instead of scanning every unpaid bill, open application and unit. Run by the beat
every five minutes; a report uses a snapshot taken for its day within `CURRENT_MAX_AGE` and says "截至 HH:MM",
else it computes the figure live. Each figure is replaced in one transaction (a reader sees the old rows or
the new ones, never none); two runs at once replace a figure one after the other (`figure_lock`), so its
rows are never stored twice."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from gongzufang.models import District
from gongzufang.statistics import CURRENTS, CityWidePrincipal, Period

from .models import CurrentFigure, CurrentState
from .monthly import figure_lock


def refresh_current_figures(today: date | None = None, *, names=None) -> dict:
    """Recompute every as-of-today figure (or those in `names`); returns {figure: rows stored}."""
    today = today or timezone.localdate()
    districts = tuple(District.objects.order_by("sort_order", "code"))
    period = Period(start=today, end=today, today=today, principal=CityWidePrincipal(), districts=districts)
    done = {}
    for name, current in CURRENTS.items():
        if names is not None and name not in names:
            continue
        started = timezone.now()  # the figure is "as of" the moment its query began
        rows = [(district_id, key, value) for district_id, key, value in current.rows(period)]
        with transaction.atomic():
            figure_lock(f"current:{name}", today)
            CurrentFigure.objects.filter(figure=name).delete()
            CurrentFigure.objects.bulk_create([CurrentFigure(figure=name, district_id=district_id, key=key,
                                                             value=value or 0)
                                               for district_id, key, value in rows])
            CurrentState.objects.update_or_create(figure=name, defaults={"day": today, "computed_at": started})
        done[name] = len(rows)
    CurrentState.objects.exclude(figure__in=list(CURRENTS)).delete()
    CurrentFigure.objects.exclude(figure__in=list(CURRENTS)).delete()
    return done
