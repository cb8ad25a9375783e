"""Ratings 1–5 with a comment: after a reply (or a repair), and after a decision; one per person per
rated thing, enforced by the database too."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError

from complaints import services
from complaints.models import Category, Kind, RatedService, ServiceRating
from gongzufang.errors import PortalError
from tests.applications import review_builders
from tests.applications.builders import submitted
from tests.complaints.conftest import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(tom, dave):
    item = submit(tom)
    return services.feedback_reply(feedback=item, actor=dave, text="已处理")


def rate(rater, subject, score, comment="", service=RatedService.FEEDBACK_REPLY):
    return services.service_rating_submit(rater=rater, service=service, subject=subject, score=score, comment=comment)


@pytest.mark.parametrize("score", [1, 5, "3", " 4 "])
def test_a_reply_is_rated_1_to_5(answered, tom, score):
    rating = rate(tom, answered, score, "答复及时")
    assert 1 <= rating.score <= 5 and rating.district == answered.district and rating.comment == "答复及时"
    assert rating.subject == answered


@pytest.mark.parametrize("score", [0, 6, -1, "abc", "", None, "3.5", 3.5, True, "٣"])
def test_a_score_out_of_range_is_refused(answered, tom, score):
    with pytest.raises(PortalError, match="1 到 5 之间的整数") as exc:
        rate(tom, answered, score)
    assert exc.value.fields == {"score": ["out_of_range"]}
    assert not ServiceRating.objects.exists()


def test_the_database_refuses_a_score_out_of_range(answered, tom):
    rating = rate(tom, answered, 5)
    with pytest.raises(IntegrityError):
        ServiceRating.objects.filter(pk=rating.pk).update(score=6)


def test_one_rating_per_person_per_thing(answered, tom):
    rate(tom, answered, 4)
    with pytest.raises(PortalError, match="只能评价一次"):
        rate(tom, answered, 5)
    assert ServiceRating.objects.get().score == 4


def test_the_database_keeps_one_rating_per_person_per_thing(answered, tom):
    rating = rate(tom, answered, 4)
    with pytest.raises(IntegrityError):
        ServiceRating.objects.create(rater=tom, service=rating.service, subject_type=rating.subject_type,
                                     subject_id=rating.subject_id, district=rating.district, score=2)


def test_an_unanswered_item_cannot_be_rated(tom):
    with pytest.raises(PortalError, match="答复后才能评价"):
        rate(tom, submit(tom), 5)


def test_someone_elses_item_cannot_be_rated(answered, mary):
    with pytest.raises(PortalError, match="本人提交"):
        rate(mary, answered, 1)


def test_a_repair_is_rated_as_the_repair_service(tom, dave):
    item = submit(tom, kind=Kind.REPAIR, category=Category.MAINTENANCE)
    services.feedback_reply(feedback=item, actor=dave, text="已修好")
    with pytest.raises(PortalError, match="不符"):
        rate(tom, item, 5, service=RatedService.FEEDBACK_REPLY)
    assert rate(tom, item, 5, service=RatedService.REPAIR).service == RatedService.REPAIR


def test_a_comment_is_limited(answered, tom):
    with pytest.raises(PortalError, match="不能超过 500 个字"):
        rate(tom, answered, 3, "评" * 501)


def test_a_decision_is_rated_by_its_applicant_once_decided():
    app = submitted()
    with pytest.raises(PortalError, match="有审核结论后"):
        rate(app.applicant, app, 5, service=RatedService.DECISION)
    app = review_builders.approved(app)
    rating = rate(app.applicant, app, 5, service=RatedService.DECISION)
    assert rating.district == app.district and rating.subject_type == ContentType.objects.get_for_model(app)


def test_another_persons_decision_cannot_be_rated(tom):
    app = review_builders.rejected(submitted())
    with pytest.raises(PortalError, match="本人的申请"):
        rate(tom, app, 1, service=RatedService.DECISION)


def test_lease_signing_is_rateable_once_the_lease_app_registers_it(answered, tom, settings, tmp_path_factory):
    # the rent app registers lease signing in its ready(): a tenant rates their own signed lease once;
    # anything else offered as the rated object (here a feedback item) is refused, nothing recorded
    from tests.rent.builders import issued_lease, sign

    folder = tmp_path_factory.getbasetemp() / "lease-signing"  # the development signing pair, as in tests/rent
    settings.LEASE_SIGNING_CERT, settings.LEASE_SIGNING_KEY = str(folder / "cert.pem"), str(folder / "key.pem")
    settings.LEASE_SIGNING_DEV_PAIR = True
    with pytest.raises(PortalError, match="评价对象与服务不符") as exc:
        rate(tom, answered, 5, service=RatedService.LEASE_SIGNING)
    assert exc.value.code == "wrong_subject" and not ServiceRating.objects.exists()
    lease = issued_lease()
    with pytest.raises(PortalError, match="签约后才能评价"):
        rate(lease.tenant, lease, 5, service=RatedService.LEASE_SIGNING)
    lease = sign(lease)
    rating = rate(lease.tenant, lease, 5, "签约顺利", service=RatedService.LEASE_SIGNING)
    assert rating.service == RatedService.LEASE_SIGNING and rating.subject == lease
    assert rating.district == lease.district and rating.comment == "签约顺利"
    with pytest.raises(PortalError, match="只能评价一次"):
        rate(lease.tenant, lease, 4, service=RatedService.LEASE_SIGNING)


def test_a_service_registered_by_another_app_can_be_rated(answered, tom, monkeypatch):
    from complaints.models import Feedback

    monkeypatch.setitem(services.RATEABLE, RatedService.LEASE_SIGNING,
                        services.Rateable(model=Feedback, check=lambda rater, subject: subject.district))
    monkeypatch.setattr(services, "rating_service_for", lambda feedback: RatedService.LEASE_SIGNING)
    assert rate(tom, answered, 5, service=RatedService.LEASE_SIGNING).service == RatedService.LEASE_SIGNING
