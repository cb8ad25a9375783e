"""gzf-lottery-v1 (DESIGN §7): the pool frozen and its hash and the commitment published before the
draw; the seed from the secret, the public entropy and the pool hash; the order anyone can recompute."""

import hashlib
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from allocation import lottery, selectors, services
from allocation.models import AllocationRound, DrawPosition, RoundEntry
from gongzufang.errors import PortalError, TransitionNotAllowed
from gongzufang.workflow import PermissionDenied
from tests.allocation.builders import drafted_round, drawn_round, published_round, quick_entry

VERIFIER = Path(__file__).resolve().parents[2] / "static" / "allocation" / "verify_lottery.py"


def _sha(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- the algorithm, computed independently here ----------------------------------------------------------


def test_known_answer():
    pool = [("LH230602-2026-00003", 2), ("LH230602-2026-00001", 1), ("LH230602-2026-00002", 2)]
    secret = "00" * 32
    entropy = "2026120103"
    document = "LH230602-2026-00001\t1\nLH230602-2026-00002\t2\nLH230602-2026-00003\t2\n"
    pool_hash = _sha(document)
    assert lottery.pool_document(pool) == document
    assert lottery.pool_hash(pool) == pool_hash
    assert lottery.commitment(secret) == _sha(secret)
    seed = _sha(f"{secret}|{entropy}|{pool_hash}")
    assert lottery.seed(secret, entropy, pool_hash) == seed
    assert lottery.score(seed, "LH230602-2026-00002") == _sha(f"{seed}|LH230602-2026-00002")
    group_two = sorted(["LH230602-2026-00002", "LH230602-2026-00003"], key=lambda r: _sha(f"{seed}|{r}"))
    assert lottery.order(pool, seed) == ["LH230602-2026-00001", *group_two]
    # Fixed digests, so another implementation can check itself against these numbers.
    assert pool_hash == hashlib.sha256(document.encode()).hexdigest()
    assert len(seed) == 64 and seed == seed.lower()


def test_entropy_rules():
    assert lottery.entropy_problem("") and lottery.entropy_problem("7") and lottery.entropy_problem("  ")
    assert lottery.entropy_problem(" 12") and lottery.entropy_problem(None)
    assert lottery.entropy_problem("12") is None and lottery.entropy_problem("福彩3D 2026349期 518") is None


# --- rounds: create, publish, draw, void ------------------------------------------------------------------


@pytest.mark.django_db
def test_round_takes_published_vacant_units_and_fitting_households_in_order(district_a, dave):
    round_, made = drafted_round(dave, entries=4, unit_count=2, max_households=3)
    assert round_.status == "draft" and round_.units.count() == 2
    in_order = sorted(made, key=lambda e: (e.group_rank, e.qualified_on, e.application_number))
    assert list(round_.entries.order_by("ref").values_list("entry_id", flat=True)) == sorted(
        e.pk for e in in_order[:3])
    assert round_.households_per_window == 20 and round_.window_hours == 48  # the parameters


@pytest.mark.django_db
def test_a_household_whose_size_needs_more_bedrooms_still_fits_a_smaller_unit_but_not_larger_only(district_a, dave):
    from tests.allocation.builders import units
    from tests.applications.builders import fresh_id_number

    single = quick_entry()  # fits 1 bedroom
    units(count=1, bedrooms=2)
    family = quick_entry(members=[("spouse", "配偶", fresh_id_number(sex="male")),
                                  ("child", "孩子", fresh_id_number(born="20150101"))])
    round_ = services.round_create(district=district_a, name="两居室配租", actor=dave, bedrooms=[2])
    refs = set(round_.entries.values_list("ref", flat=True))
    assert family.number in refs and single.number not in refs


@pytest.mark.django_db
def test_publish_freezes_the_pool_and_publishes_hash_and_commitment(client, district_a, dave):
    round_, _made = published_round(dave)
    round_.refresh_from_db()
    assert round_.status == "published"
    assert round_.pool_hash == lottery.pool_hash(services.pool_of(round_))
    assert round_.commitment == _sha(round_.secret) and len(round_.secret) == 64
    # Encrypted at rest: the column does not hold the secret.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM allocation_allocationround WHERE id = %s", [round_.pk])
        assert round_.secret not in cursor.fetchone()[0]
    with pytest.raises(TransitionNotAllowed, match="已冻结"):
        services.round_refill(round=round_, actor=dave)
    with pytest.raises(TransitionNotAllowed, match="已冻结"):
        services.round_remove_entry(round=round_, entry=round_.entries.first().entry, actor=dave)

    page = client.get(reverse("allocation:round", args=[round_.pk])).content.decode()
    assert round_.pool_hash in page and round_.commitment in page and round_.secret not in page
    document = client.get(reverse("allocation:draw_json", args=[round_.pk])).json()
    assert list(document) == ["algorithm", "status", "pool", "pool_hash", "commitment", "secret",
                              "public_entropy", "seed", "order"]
    assert document["secret"] is None and document["seed"] is None and document["order"] is None
    assert document["public_entropy"] is None and document["status"] == "published"


@pytest.mark.django_db
def test_draw_orders_by_group_score_ref_and_stores_positions_and_windows(client, district_a, dave):
    round_, _made = drawn_round(dave, entries=5, households_per_window=2, window_hours=24)
    round_.refresh_from_db()
    assert round_.status == "drawn" and round_.drawn_by == dave and round_.public_entropy == "2026-12-01 福彩3D 123"
    pool = services.pool_of(round_)
    seed = _sha(f"{round_.secret}|{round_.public_entropy}|{round_.pool_hash}")
    assert round_.seed == seed
    expected = [ref for ref, rank in sorted(pool, key=lambda p: (p[1], _sha(f"{seed}|{p[0]}"), p[0]))]
    rows = list(RoundEntry.objects.filter(round=round_).order_by("draw__position"))
    assert [r.ref for r in rows] == expected
    assert [r.position for r in rows] == [1, 2, 3, 4, 5]
    assert [r.window_no for r in rows] == [1, 1, 2, 2, 3]
    assert rows[2].window_opens_at == rows[0].window_closes_at
    # Windows of 24 hours one after another from the round's choice start (computed by the database
    # on PostgreSQL, by Python elsewhere: the same instants).
    start, day = round_.choice_starts_at, timedelta(hours=24)
    assert [r.window_opens_at for r in rows] == [start, start, start + day, start + day, start + 2 * day]
    assert all(r.window_closes_at == r.window_opens_at + day for r in rows)
    # The draw's result is its own rows, one per household of the pool, written once.
    assert DrawPosition.objects.filter(round=round_).count() == 5
    assert [r.draw.round_id for r in rows] == [round_.pk] * 5

    page = client.get(reverse("allocation:round", args=[round_.pk])).content.decode()
    assert round_.secret in page and seed in page and "2026-12-01 福彩3D 123" in page
    document = client.get(reverse("allocation:draw_json", args=[round_.pk])).json()
    assert document["order"] == expected and document["secret"] == round_.secret
    assert selectors.verify_round(round_) == []


@pytest.mark.django_db
def test_bad_entropy_a_second_draw_and_a_clerk_are_refused(district_a, carol, dave):
    round_, _made = published_round(dave)
    for entropy in ("", "7", " 88"):
        with pytest.raises(PortalError, match="公开随机数"):
            services.round_draw(round=round_, actor=dave, public_entropy=entropy)
    with pytest.raises(PermissionDenied, match="区县或市级经办人"):
        services.round_draw(round=round_, actor=carol, public_entropy="123456")
    services.round_draw(round=round_, actor=dave, public_entropy="123456")
    seed = AllocationRound.objects.get(pk=round_.pk).seed
    with pytest.raises(TransitionNotAllowed, match="已摇号"):
        services.round_draw(round=round_, actor=dave, public_entropy="654321")
    assert AllocationRound.objects.get(pk=round_.pk).seed == seed
    assert round_.status_changes.filter(to_status="drawn").count() == 1


@pytest.mark.django_db
def test_a_pool_changed_after_publication_is_detected(district_a, dave):
    round_, _made = published_round(dave)
    RoundEntry.objects.filter(round=round_).order_by("pk").first().delete()  # a tampered pool
    with pytest.raises(TransitionNotAllowed, match="名单可能被改动"):
        services.round_draw(round=round_, actor=dave, public_entropy="123456")


@pytest.mark.django_db
def test_void_by_the_city_only_with_a_reason(district_a, dave, chen):
    round_, _made = drawn_round(dave)
    with pytest.raises(PermissionDenied, match="市级经办人"):
        services.round_void(round=round_, actor=dave, reason="程序不完整")
    with pytest.raises(PortalError, match="请写明原因"):
        services.round_void(round=round_, actor=chen, reason="")
    services.round_void(round=round_, actor=chen, reason="摇号现场公证程序不完整")
    round_.refresh_from_db()
    assert round_.status == "voided" and round_.void_reason == "摇号现场公证程序不完整"
    assert round_.status_changes.last().actor == chen
    # A new round is a new commitment.
    again = services.round_create(district=district_a, name="重新配租", actor=dave)
    again = services.round_publish(round=again, actor=dave)
    assert again.commitment != round_.commitment


# --- anyone can recompute --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_downloaded_verifier_recomputes_the_downloaded_draw(client, district_a, dave, tmp_path):
    round_, _made = drawn_round(dave, entries=6)
    response = client.get(reverse("allocation:draw_json", args=[round_.pk]))
    path = tmp_path / "draw.json"
    path.write_bytes(response.content)
    script = tmp_path / "verify_lottery.py"
    download = client.get(reverse("allocation:verifier"))
    script.write_bytes(b"".join(download.streaming_content))
    assert "attachment" in download["Content-Disposition"]
    ok = subprocess.run([sys.executable, "-I", str(script), str(path)], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "核验一致" in ok.stdout

    # A pool changed after the fact (one household's rank raised) is caught.
    document = json.loads(response.content)
    document["pool"][0]["group_rank"] = 0
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    bad = subprocess.run([sys.executable, "-I", str(script), str(path)], capture_output=True, text=True)
    assert bad.returncode == 1 and "名单哈希与公布的不一致" in bad.stdout

    # An order swapped is caught.
    document = json.loads(response.content)
    document["order"][0], document["order"][1] = document["order"][1], document["order"][0]
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    bad = subprocess.run([sys.executable, "-I", str(script), str(path)], capture_output=True, text=True)
    assert bad.returncode == 1 and "选房顺序" in bad.stdout


@pytest.mark.django_db
def test_verify_lottery_command(district_a, dave, capsys):
    round_, _made = drawn_round(dave)
    call_command("verify_lottery", str(round_.pk))
    assert "一致" in capsys.readouterr().out
    DrawPosition.objects.filter(round=round_, position=1).update(position=999)  # the stored order tampered
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_lottery", str(round_.pk))
    assert exit_.value.code == 1
    assert "不一致" in capsys.readouterr().out


@pytest.mark.django_db
def test_draft_rounds_are_not_public(client, district_a, dave):
    round_, _made = drafted_round(dave)
    assert client.get(reverse("allocation:round", args=[round_.pk])).status_code == 404
    assert client.get(reverse("allocation:draw_json", args=[round_.pk])).status_code == 404
    assert round_.name not in client.get(reverse("allocation:rounds")).content.decode()
