"""The one interface every department adapter has (部门联审, DESIGN §5).

    results = adapter.query(["230602198503150022", ...])
    results["230602198503150022"].status   # "pass", "fail" or "unknown"

A result keeps the department, when it was asked, the facts the department returned and a hash of
the raw reply, so a decision can later show where each value came from. `unknown` (timeout, error,
garbage, no record) never counts as `pass`; callers test `result.passed`, never `not result.failed`.
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from django.utils import timezone


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


OUTCOME_LABELS = {Outcome.PASS: "通过", Outcome.FAIL: "不通过", Outcome.UNKNOWN: "无法核验"}


@dataclass(frozen=True)
class DepartmentResult:
    department: str
    status: Outcome
    facts: dict = field(default_factory=dict)
    reply_hash: str = ""
    queried_at: datetime | None = None
    # Why the result is unknown (timeout, HTTP 503, malformed reply, no record); empty otherwise.
    reason: str = ""
    # Unknown because the exchange gave no usable answer (timeout, refused, non-200, garbage):
    # asking again later may help. "No record" and an incomplete record are not transient.
    transient: bool = False

    @property
    def passed(self) -> bool:
        return self.status == Outcome.PASS

    @property
    def failed(self) -> bool:
        return self.status == Outcome.FAIL

    def as_record(self) -> dict:
        """JSON-ready form, for storing beside a check or a verification."""
        return {
            "department": self.department, "status": str(self.status), "facts": self.facts,
            "reply_hash": self.reply_hash, "reason": self.reason, "transient": self.transient,
            "queried_at": self.queried_at.isoformat() if self.queried_at else None,
        }


def unknown(department: str, reason: str, *, reply_hash: str = "", queried_at=None,
            transient: bool = False) -> DepartmentResult:
    return DepartmentResult(
        department=department, status=Outcome.UNKNOWN, reply_hash=reply_hash,
        queried_at=queried_at or timezone.now(), reason=reason, transient=transient,
    )


class DepartmentAdapter:
    """Base class: one department, one `query(id_numbers)`.

    Subclasses set `code` and `name`, and `materials_supplied` — the material kinds
    (gongzufang.parameters.MATERIAL_KINDS) this department supplies online, which applicants are
    therefore not asked to upload (DESIGN §4).
    """

    code: str = ""
    name: str = ""
    materials_supplied: frozenset = frozenset()

    def query(self, id_numbers) -> dict[str, DepartmentResult]:
        """A result for every distinct ID number asked about; never raises for outside failures."""
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self.code}>"
