"""The cross-department check (部门联审, DESIGN §5; docs/adr/0006-cross-department-checks.md).

    summary = run_checks([application.pk])          # every department the category needs

A caseworker's re-run of one department is `applications.crosscheck.services.check_rerun`; the
results as shown are read through `applications.crosscheck.selectors`.

For every household member and department one `CheckResult` is written and becomes the current one
for (application, member, department) — unless the department's answer is the current one again (same
status, facts and reason, told by `answer_digest`): then that row is kept "still true on" the new date (its query time and reply
hash move to the new query, `first_queried_at` keeps the first), so a monthly re-check of facts that
have not changed rewrites a date instead of adding a row and retiring one (ADR 0006). A department is not asked again about a person it answered
(pass or fail) within `crosscheck.freshness_days`: the earlier answer is copied with `reused_from`.
The remaining ID numbers of all the given applications are pooled per department, cut into the
adapter's batches and sent concurrently (the work is waiting on the network) through a sender
(`applications.crosscheck.sending`: threads here, or for the monthly run a process of its own), whose
answers come back as said tuples (`applications.crosscheck.answers`). Only ID numbers leave
the portal. `unknown` is stored as it is and never counts as a pass; the review workflow
(`applications.review.services.checks_finished`) moves an application on only when nothing is unknown.
"""

import contextlib
import io
import json
import logging
import sys
import threading
from collections import Counter, defaultdict
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from applications.crosscheck.answers import answer_digest
from applications.crosscheck.answers import encode as _json
from applications.crosscheck.exchange import Outcome, adapter_for
from applications.crosscheck.exchange import departments as registered_departments
from applications.crosscheck.sending import ThreadSender
from applications.eligibility import rules
from applications.models import Application, CheckResult, HouseholdMember, Status
from applications.models.review import CheckOutcome
from applications.review.services import checks_finished
from gongzufang.parameters import param

logger = logging.getLogger(__name__)

# Threads storing departments' rows at once, each on its own connection (PostgreSQL only).
WRITERS = 2


# The interpreter's switch interval while a long run of checks is going (`prompt_requests`). Python's
# default (5 ms) is how long a thread whose reply has arrived may wait for the GIL while another thread
# computes; a request takes that wait several times (send, status line, body), and the run's other
# threads (reading members, comparing, storing) compute most of the time. Measured: 100-ID batches
# through 8 threads beside one computing thread, 166 requests/s at 5 ms, 278 at 1 ms (349 alone);
# the monthly run of 20 000 households, month 2, 0.41–0.43× the floor at 5 ms, 0.49× at 1 ms.
PROMPT_SWITCH_INTERVAL = 0.001


@contextlib.contextmanager
def prompt_requests():
    """For the duration, threads waiting on the exchange get the GIL back within 1 ms instead of 5
    (process-wide, restored after: meant for a worker process running one long job)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, PROMPT_SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def departments_for(application) -> list[str]:
    """The departments an application's category needs (the rules say which), else all of them."""
    return _departments_for_category(application.category)


def _departments_for_category(category) -> list[str]:
    codes = list(registered_departments())
    if not category:
        return codes
    wanted = set(rules.departments_needed(category))
    return [c for c in codes if c in wanted]


@dataclass
class CheckSummary:
    applications: int = 0
    pairs: int = 0  # (member, department) pairs considered
    queried: int = 0  # answered (or not) by a department in this run
    reused: int = 0  # copied from a fresh answer about the same person
    kept: int = 0  # already current and fresh: nothing written
    confirmed: int = 0  # asked again, the same answer: the current row's date moved ("still true on")
    requests: int = 0  # HTTP requests to the exchange
    statuses: Counter = field(default_factory=Counter)  # of the rows written
    transient: int = 0  # unknown because the exchange gave no usable answer (worth retrying)
    unknown_applications: set = field(default_factory=set)
    transient_applications: set = field(default_factory=set)
    moved_on: list = field(default_factory=list)  # applications checks_finished moved to district review

    def as_dict(self) -> dict:
        return {
            "applications": self.applications, "pairs": self.pairs, "queried": self.queried,
            "reused": self.reused, "kept": self.kept, "confirmed": self.confirmed, "requests": self.requests,
            "statuses": dict(self.statuses), "transient": self.transient,
            "unknown_applications": sorted(self.unknown_applications),
            "transient_applications": sorted(self.transient_applications), "moved_on": sorted(self.moved_on),
        }


class _Member(NamedTuple):
    """A household member as the run asks about them (one per member, shared by their departments:
    a monthly run considers 1.4 million (member, department) pairs)."""

    application_id: int
    member_id: int
    id_number: str
    id_number_hash: str


def _members(app_rows) -> list[_Member]:
    by_household = {row["household_id"]: row["id"] for row in app_rows}
    members = (HouseholdMember.objects.filter(household_id__in_array=list(by_household))
               .order_by("household_id", "sort_order", "id")
               .values_list("id", "household_id", "id_number", "id_number_hash"))
    return [_Member(by_household[household_id], member_id, id_number, id_hash)
            for member_id, household_id, id_number, id_hash in members]


_COPY_FIELDS = ("id", "application_id", "member_id", "department", "id_number_hash", "status", "facts",
                "reply_hash", "reason", "answer_digest", "queried_at", "reused_from_id")


def _fresh_answers(needed, cutoff, current, application_ids) -> dict[tuple[str, str], dict]:
    """The latest pass/fail answer per (ID number hash, department) queried since `cutoff`, for the
    members `needed` lists by department (those with no fresh answer of their own).

    On PostgreSQL in two steps, so that a month in which every answer is due (none is fresh) reads no
    row: the applications' own current rows are in `current` already (and those that are fresh are
    taken from there); every other row about these people — other applications', earlier ones — is
    found by the person index alone (`checkresult_person_id`, an index-only scan: the table's rows are
    large and would be read from disk), and only those then read whole, if queried since `cutoff`.
    Before, one query read every row about the chunk's people to find none fresh: 0.6–1.8 s of
    PostgreSQL a chunk at 100 000 households (docs/benchmarks.md)."""
    hashes = list({m.id_number_hash for members in needed.values() for m in members})
    departments = list(needed)
    if not hashes:
        return {}
    rows = CheckResult.objects.filter(queried_at__gte=cutoff).exclude(status=CheckOutcome.UNKNOWN)
    if connection.vendor == "postgresql":
        wanted = {(m.id_number_hash, dept) for dept, members in needed.items() for m in members}
        unknown = CheckOutcome.UNKNOWN
        ids = [row["id"] for (_app, _member, dept), row in current.items()
               if (row["id_number_hash"], dept) in wanted and row["status"] != unknown and row["queried_at"] >= cutoff]
        with connection.cursor() as cursor:
            # NOT IN (subquery): PostgreSQL hashes it; `<> ALL(array)` would compare with every id
            cursor.execute(
                f"SELECT id FROM {_TABLE} WHERE id_number_hash = ANY(%s) AND department = ANY(%s) "  # noqa: S608
                "AND NOT (is_current AND application_id IN (SELECT unnest(%s::bigint[])))",
                [hashes, departments, list(application_ids)])
            ids += [pk for (pk,) in cursor.fetchall()]
        if not ids:
            return {}
        rows = rows.filter(pk__in_array=ids)
    else:
        rows = rows.filter(id_number_hash__in=hashes, department__in=departments)
    rows = rows.order_by("queried_at", "id").values(*_COPY_FIELDS)
    fresh = {}
    for row in rows:
        fresh[(row["id_number_hash"], row["department"])] = row  # later rows win
    return fresh


def _current(application_ids, with_digest=True) -> dict[tuple[int, int, str], dict]:
    """The current rows of the applications by (application, member, department); `with_digest`: with
    what tells an unchanged answer from a new one (the digest; the facts of rows that have none)."""
    fields = ["id", "application_id", "member_id", "department", "status", "queried_at", "id_number_hash"]
    if with_digest:
        fields += ["answer_digest", "reason"]
    rows = CheckResult.objects.filter(application_id__in_array=list(application_ids), is_current=True).values(*fields)
    current = {(r["application_id"], r["member_id"], r["department"]): r for r in rows}
    if with_digest:  # rows stored before the digest existed (and by hand) are compared by their facts
        undigested = {r["id"]: r for r in current.values() if not r["answer_digest"]}
        for pk, facts in CheckResult.objects.filter(pk__in=undigested).values_list("pk", "facts"):
            undigested[pk]["facts"] = facts
    return current


class _Answer(NamedTuple):
    """One row to store (a CheckResult's columns), kept light: a run writes tens of thousands."""

    application_id: int
    member_id: int
    id_number_hash: str
    department: str
    status: str
    facts: dict
    reply_hash: str
    reason: str
    answer_digest: str
    queried_at: datetime
    reused_from_id: int | None
    facts_json: str = ""  # the facts as stored, when they came encoded (then `facts` is None); not a column


_STORED = tuple(f for f in _Answer._fields if f != "facts_json")
_COLUMNS = _STORED + ("is_current", "created_at")


_TABLE = '"applications_checkresult"'
assert CheckResult._meta.db_table == "applications_checkresult"


def _write(rows: list[_Answer], known_current: dict, confirmations: dict | None = None):
    """Store new results and retire the ones they replace, and move the date of the current rows
    said again (`confirmations`: their ids by the (query time, reply hash) they now carry, one entry
    per batch), in one transaction per department.

    Optimistic: the rows to retire are those that were current when the run started. If another
    run stored answers for the same (application, member, department) meanwhile, the unique
    "one current" index refuses the insert; then the applications are locked and the current rows
    read again before retiring and inserting.
    """
    if not rows:
        if confirmations:
            with transaction.atomic():
                _commit_without_waiting_for_disk()
                _confirm(confirmations)
        return
    try:
        with transaction.atomic():
            _commit_without_waiting_for_disk()
            if known_current:  # (a first run has nothing to retire)
                _retire([mine["id"] for r in rows
                         if (mine := known_current.get((r.application_id, r.member_id, r.department)))])
            _insert(rows)
            _confirm(confirmations)
        return
    except IntegrityError:
        logger.info("cross-check: another run stored answers for the same members; storing again under lock")
    replaced = {(r.application_id, r.member_id, r.department) for r in rows}
    app_ids = sorted({r.application_id for r in rows})
    with transaction.atomic():
        _commit_without_waiting_for_disk()
        # In id order, so two runs cannot deadlock; a second run waits here, then retires the first's rows.
        list(Application.objects.select_for_update().filter(pk__in=app_ids).order_by("pk").values_list("pk"))
        retire = [pk for pk, app_id, member_id, dept in
                  CheckResult.objects.filter(application_id__in=app_ids, is_current=True)
                  .values_list("pk", "application_id", "member_id", "department")
                  if (app_id, member_id, dept) in replaced]
        _retire(retire)
        _insert(rows)
        _confirm(confirmations)


def _retire(ids):
    if ids:  # (one array parameter on PostgreSQL: the ORM's IN (…) costs ~10 µs of Python per id)
        CheckResult.objects.filter(pk__in_array=list(ids), is_current=True).update(is_current=False)


def _confirm(groups):
    """Each row's date and reply hash become the new query's; its first date is kept. Only a row still
    current: if another run stored a newer answer meanwhile, that one stands (and is fresh). Raw SQL on
    PostgreSQL: one statement per batch, ~14 000 in a monthly run, where compiling each through the ORM
    would cost more than the update."""
    if not groups:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for (queried_at, reply_hash), ids in groups.items():
                cursor.execute(
                    f"UPDATE {_TABLE} SET first_queried_at = coalesce(first_queried_at, queried_at), "  # noqa: S608
                    "queried_at = %s, reply_hash = %s WHERE id = ANY(%s) AND is_current",
                    [queried_at, reply_hash, ids])
        return
    for (queried_at, reply_hash), ids in groups.items():
        CheckResult.objects.filter(pk__in=ids, is_current=True).update(
            first_queried_at=Coalesce("first_queried_at", "queried_at"), queried_at=queried_at,
            reply_hash=reply_hash)


def _commit_without_waiting_for_disk():
    # Safe here: anything that acts on these rows (checks_finished moving the application on)
    # commits synchronously later, which flushes the log up to and including them; a crash before
    # that loses only answers the next run asks for again.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _insert(rows: list[_Answer]):
    now = timezone.now()
    if connection.vendor != "postgresql":
        CheckResult.objects.bulk_create([CheckResult(**{f: getattr(r, f) for f in _STORED}, is_current=True)
                                         if r.facts is not None else
                                         CheckResult(**{f: getattr(r, f) for f in _STORED if f != "facts"},
                                                     facts=json.loads(r.facts_json), is_current=True)
                                         for r in rows], batch_size=500)
        return
    # COPY: a tenth of the cost of building and sending INSERTs row by row through the ORM, which
    # at 10 000 applications was most of the run (docs/benchmarks.md).
    # CSV by hand (3× faster than csv.writer, and this runs for every answer): every text field
    # quoted, so an empty reason stays ""; an empty reused_from is unquoted, which COPY reads as NULL.
    created = _quote(now.isoformat())
    stamps = {}
    buffer = io.StringIO()
    buffer.writelines(
        f"{r.application_id},{r.member_id},{_quote(r.id_number_hash)},{_quote(r.department)},{_quote(r.status)},"
        f"{_quote(r.facts_json or _json(r.facts))},{_quote(r.reply_hash)},{_quote(r.reason)},{_quote(r.answer_digest)},"
        f"{stamps.get(r.queried_at) or stamps.setdefault(r.queried_at, _quote(r.queried_at.isoformat()))},"
        f"{'' if r.reused_from_id is None else int(r.reused_from_id)},t,{created}\n"
        for r in rows
    )
    buffer.seek(0)
    table = connection.ops.quote_name(CheckResult._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(CheckResult._meta.get_field(c).column) for c in _COLUMNS)
    with connection.cursor() as cursor, connection.wrap_database_errors:  # psycopg2's errors as Django's
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _reused_row(member: _Member, department: str, source: dict) -> _Answer:
    return _Answer(member.application_id, member.member_id, member.id_number_hash, department, source["status"],
                   source["facts"], source["reply_hash"], source["reason"],
                   source["answer_digest"] or answer_digest(source["status"], source["facts"], source["reason"]),
                   source["queried_at"], source["reused_from_id"] or source["id"])


def run_checks(application_ids, *, departments=None, force=False, notify=True, sender=None) -> CheckSummary:
    """Ask the departments about the applications' household members and store the answers.

    `departments`: only these (default: each application's `departments_for`). `force`: ask even
    when a fresh answer exists (a caseworker's re-run). `notify`: tell the review workflow when an
    application in cross_check has its answers (`checks_finished`). `sender`: what sends the batches
    (`applications.crosscheck.sending`), shared by calls running at once so that together they keep no
    more than `concurrency()` requests in flight (the monthly monitoring runs the next chunk's call while
    this one's last answers are stored, and sends from a process of its own); default, threads of its own.
    """
    summary = CheckSummary()
    ids = list(dict.fromkeys(int(i) for i in application_ids))
    known = registered_departments()
    if departments is not None:
        unknown_codes = [d for d in departments if d not in known]
        if unknown_codes:
            raise ValueError(f"unknown departments: {unknown_codes}")
    app_rows = list(Application.objects.filter(pk__in_array=ids).values("id", "status", "category", "household_id"))
    by_category = {}
    for row in app_rows:
        if departments is not None:
            row["departments"] = list(dict.fromkeys(departments))
        else:
            if row["category"] not in by_category:
                by_category[row["category"]] = _departments_for_category(row["category"])
            row["departments"] = by_category[row["category"]]
    summary.applications = len(app_rows)
    members = _members(app_rows)
    departments_of = {row["id"]: row["departments"] for row in app_rows}

    now = timezone.now()
    days = param("crosscheck.freshness_days")
    cutoff = now - timedelta(days=days)
    current = _current([r["id"] for r in app_rows], with_digest=not force)

    # Every (member, department) pair: kept (its current answer is fresh), reused (a fresh answer
    # about the same person from elsewhere) or to be asked; `to_query` lists each department's members.
    to_query: dict[str, list[_Member]] = defaultdict(list)
    unknown = CheckOutcome.UNKNOWN
    reusing = not force and days > 0
    for member in members:
        for dept in departments_of[member.application_id]:
            summary.pairs += 1
            if reusing:
                mine = current.get((member.application_id, member.member_id, dept))
                if (mine and mine["status"] != unknown and mine["queried_at"] >= cutoff
                        and mine["id_number_hash"] == member.id_number_hash):
                    summary.kept += 1
                    continue
            to_query[dept].append(member)
    reused: dict[str, list[_Answer]] = defaultdict(list)
    fresh = _fresh_answers(to_query, cutoff, current, [r["id"] for r in app_rows]) if reusing else {}
    if fresh:
        for dept, waiting in list(to_query.items()):
            asked = []
            for member in waiting:
                source = fresh.get((member.id_number_hash, dept))
                if source is None:
                    asked.append(member)
                else:
                    reused[dept].append(_reused_row(member, dept, source))
                    summary.reused += 1
            if asked:
                to_query[dept] = asked
            else:
                del to_query[dept]

    for dept, rows in reused.items():
        if dept not in to_query:
            _write(rows, current)
            summary.statuses.update(r.status for r in rows)

    _query_and_store(to_query, reused, None if force else current, current, summary, sender)

    if notify:
        _notify([r["id"] for r in app_rows if r["status"] == Status.CROSS_CHECK], summary)
    return summary


def _query_and_store(to_query, reused, comparable, current, summary, shared_sender=None):
    """Send every department's batches through one sender; store a department's rows as soon
    as all its batches are back, while the others are still on the wire. An answer equal to its
    `comparable` current row (None: a forced re-run, every query its own row) only moves that row's date."""
    if not to_query:
        return
    adapters = {dept: adapter_for(dept) for dept in to_query}
    pending = {}
    remaining = Counter()
    answers: dict[str, dict] = defaultdict(dict)
    writer = _Writer(current)
    # (its own: threads with one client for the call, each keeping its connection)
    own_sender = None if shared_sender is not None else ThreadSender()
    with writer, (own_sender or contextlib.nullcontext()):
        sender = own_sender or shared_sender
        # One department after another (the sender takes batches in order), so the first is
        # complete early and its rows are written while the next ones are on the wire.
        for dept, members in to_query.items():
            for batch in adapters[dept].batches([m.id_number for m in members]):
                future = sender.submit(adapters[dept], batch)
                pending[future] = dept
                remaining[dept] += 1
        summary.requests += len(pending)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                dept = pending.pop(future)
                answers[dept].update(future.result())
                remaining[dept] -= 1
                if remaining[dept] == 0:
                    writer.write(*_department_rows(dept, to_query[dept], answers.pop(dept), reused.get(dept, []),
                                                   comparable, summary))


class _Writer:
    """Writes each department's rows on a thread of its own, on its own database connection, so
    that PostgreSQL's work (COPY, index upkeep, the foreign-key checks at commit) runs beside the
    runner's instead of after it. Inline when the caller holds a transaction (the rows must be
    part of it, and another connection could not see its uncommitted rows) and off PostgreSQL."""

    def __init__(self, current):
        self.current = current
        self.inline = connection.vendor != "postgresql" or connection.in_atomic_block
        self.pool = None if self.inline else ThreadPoolExecutor(max_workers=WRITERS,
                                                                 thread_name_prefix="crosscheck-write")
        self.futures = []

    def write(self, rows, confirmations=None):
        if self.inline:
            _write(rows, self.current, confirmations)
        else:
            self.futures.append(self.pool.submit(_write, rows, self.current, confirmations))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.inline:
            return
        for future in self.futures:
            future.exception()  # wait for every write before closing the writers' connections
        closers = [self.pool.submit(_close_connection_when, barrier) for barrier in [threading.Barrier(WRITERS)]
                   for _ in range(WRITERS)]
        self.pool.shutdown(wait=True)
        self.futures += closers
        for future in self.futures:
            future.result()  # re-raise a failed write here, in the caller


def _close_connection_when(barrier):
    # Every writer thread closes its own connection: the barrier keeps one thread from taking
    # two of these jobs while another keeps its connection open.
    barrier.wait(timeout=30)
    connection.close()  # looked up on the calling thread: the writer's own connection


def _department_rows(department, members, answers, reused_rows, comparable, summary) -> tuple[list[_Answer], dict]:
    """The rows to insert and the current rows said again (a pass or fail answer equal to the current
    one of the same person: same digest of status, facts and reason; an unknown is always a row of its
    own), their ids by the (query time, reply hash) they now carry. `answers`: said tuples by ID number
    (applications.crosscheck.answers). Runs for every answer of a run, so it keeps to local names."""
    rows = list(reused_rows)
    confirmations = defaultdict(list)  # a batch's answers share their query time and reply hash
    confirmed = 0
    statuses = Counter(r.status for r in rows)
    unknown = Outcome.UNKNOWN.value
    for member in members:
        status, reason, facts_json, digest, transient, reply_hash, queried_at = answers[member.id_number]
        statuses[status] += 1
        if status == unknown:
            summary.unknown_applications.add(member.application_id)
            if transient:
                summary.transient += 1
                summary.transient_applications.add(member.application_id)
        elif comparable is not None:
            mine = comparable.get((member.application_id, member.member_id, department))
            if mine is not None and mine["id_number_hash"] == member.id_number_hash and (
                    mine["answer_digest"] == digest if mine["answer_digest"] else
                    mine["status"] == status and mine["reason"] == reason
                    and _same_facts(mine["facts"], json.loads(facts_json))):
                confirmations[(queried_at, reply_hash)].append(mine["id"])
                confirmed += 1
                continue
        rows.append(_Answer(member.application_id, member.member_id, member.id_number_hash, department, status,
                            None, reply_hash, reason, digest, queried_at, None, facts_json))
    summary.queried += len(members)
    summary.confirmed += confirmed
    summary.statuses.update(statuses)
    return rows, confirmations


def _same_facts(stored, facts) -> bool:
    """Whether a department's facts equal those stored (rows without a digest): directly when they are
    plain JSON values (a dict compares without regard to key order, which jsonb does not keep), else as
    they would read back from the database (a Decimal or a date becomes text, a tuple a list)."""
    return stored == facts or stored == json.loads(_json(facts))


def _notify(application_ids, summary):
    for app_id in application_ids:
        if checks_finished(application_id=app_id):
            summary.moved_on.append(app_id)
