"""Reads of the cross-department check: the current answers per department, for the caseworkers."""

from collections import defaultdict
from dataclasses import dataclass

from applications.crosscheck.exchange import departments as registered_departments
from applications.models import CheckResult
from applications.models.review import CheckOutcome


@dataclass
class DepartmentResults:
    code: str
    name: str
    status: str  # fail if any member fails, else unknown if any is unknown, else pass
    results: list  # current CheckResult rows, one per member (member selected)

    @property
    def status_label(self) -> str:
        return CheckOutcome(self.status).label


def current_results(application) -> list[DepartmentResults]:
    """The current answers, grouped per department (in the registry's order) and member."""
    registry = registered_departments()
    rows = (CheckResult.objects.current().filter(application_id=application.pk)
            .select_related("member").order_by("department", "member__sort_order", "member_id"))
    grouped = defaultdict(list)
    for row in rows:
        grouped[row.department].append(row)
    order = {code: i for i, code in enumerate(registry)}
    out = []
    for code in sorted(grouped, key=lambda c: (order.get(c, len(order)), c)):
        statuses = {r.status for r in grouped[code]}
        status = (CheckOutcome.FAIL if CheckOutcome.FAIL in statuses
                  else CheckOutcome.UNKNOWN if CheckOutcome.UNKNOWN in statuses else CheckOutcome.PASS)
        cls = registry.get(code)
        out.append(DepartmentResults(code=code, name=cls.name if cls else code, status=str(status),
                                     results=grouped[code]))
    return out


def unknown_departments(application) -> list[str]:
    """Departments with a current `unknown` answer for some member (registry order)."""
    codes = set(CheckResult.objects.current().filter(application_id=application.pk, status=CheckOutcome.UNKNOWN)
                .values_list("department", flat=True))
    return [c for c in registered_departments() if c in codes] + sorted(codes - set(registered_departments()))
