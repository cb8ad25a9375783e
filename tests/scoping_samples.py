"""One sample row per district-bound model, made in a given district.

The admin scoping test walks every registered admin whose model is district-bound and needs a
sample here; a new district-bound model without one fails that test on purpose.
"""

from applications.models import Application
from gongzufang.models import ApiClient, Community, District, Street
from gongzufang.services.api_clients import api_client_issue
from tests import factories
from tests.applications.builders import submitted

SAMPLES = {}


def sample(model):
    def register(fn):
        SAMPLES[model._meta.label_lower] = fn
        return fn

    return register


@sample(District)
def _district(district):
    return district


@sample(Street)
def _street(district):
    return Street.objects.filter(district=district).first()


@sample(Community)
def _community(district):
    return Community.objects.filter(street__district=district).first()


@sample(factories.UserFactory._meta.model)
def _user(district):
    return factories.DistrictCaseworkerFactory(district=district)


@sample(ApiClient)
def _api_client(district):
    return api_client_issue(name=f"{district.name}系统", district=district)[0]


def _housing_samples():
    # Housing stock (housing/): an estate with one building and one unit per district.
    from datetime import date

    from housing import services as housing_services
    from housing.models import Building, Estate, Renovation, Unit
    from tests.housing import factories as housing

    @sample(Estate)
    def _estate(district):
        return housing.estate(district.code)

    @sample(Building)
    def _building(district):
        return housing.building(housing.estate(district.code))

    @sample(Unit)
    def _unit(district):
        return housing.unit(housing.building(housing.estate(district.code)))

    @sample(Renovation)
    def _renovation(district):
        return housing_services.renovation_record(
            estate=housing.estate(district.code), title="维修", started_on=date(2024, 1, 1)
        )


_housing_samples()


@sample(Application)
def _application(district):
    return submitted(street=factories.first_street(district.code))


def _complaints_samples():
    # Feedback (complaints/): an item routed to the district, and a rating of its reply.
    from complaints import services as feedback_services
    from complaints.models import Category, Feedback, Kind, RatedService, ServiceRating

    def submitted_feedback(district):
        person = factories.UserFactory()
        item, _created = feedback_services.feedback_submit(
            submitter=person, kind=Kind.SUGGESTION, category=Category.OTHER, text="建议", district=district)
        return item

    @sample(Feedback)
    def _feedback(district):
        return submitted_feedback(district)

    @sample(ServiceRating)
    def _service_rating(district):
        item = feedback_services.feedback_reply(feedback=submitted_feedback(district),
                                                actor=factories.CityCaseworkerFactory(), text="已处理")
        return feedback_services.service_rating_submit(rater=item.submitter, service=RatedService.FEEDBACK_REPLY,
                                                       subject=item, score=5)


_complaints_samples()


def _notice_samples():
    # 公示异议: an objection raised by the public against an application on notice in the district.
    from applications.models import NoticeObjection
    from applications.review.notice import objection_submit
    from tests.applications.notice_builders import on_notice

    @sample(NoticeObjection)
    def _objection(district):
        app = on_notice(street=factories.first_street(district.code))
        return objection_submit(application=app, name="李四", contact="13900000001", text="该户家中有两套住房，请核查。")


_notice_samples()


def _allocation_samples():
    # 轮候与配租 (allocation/): a waiting household, and a draft round over one published unit.
    from allocation import services as allocation_services
    from allocation.models import AllocationRound, RoundEntry, RoundUnit, WaitlistEntry
    from tests.allocation.builders import quick_entry, units

    @sample(WaitlistEntry)
    def _waitlist_entry(district):
        return quick_entry(street=factories.first_street(district.code))

    @sample(AllocationRound)
    def _round(district):
        _waitlist_entry(district)
        units(district.code, count=1)
        return allocation_services.round_create(district=district, name=f"{district.name}配租方案", actor=None)

    @sample(RoundEntry)
    def _round_entry(district):
        return _round(district).entries.first()

    @sample(RoundUnit)
    def _round_unit(district):
        return _round(district).units.first()


_allocation_samples()


def _subsidies_samples():
    # 租赁补贴 (subsidies/): a grant, a month's batch and one payment in it.
    from subsidies.models import SubsidyBatch, SubsidyGrant, SubsidyPayment
    from tests.subsidies.builders import quick_grant, quick_payment

    @sample(SubsidyGrant)
    def _grant(district):
        return quick_grant(district.code)

    @sample(SubsidyPayment)
    def _payment(district):
        return quick_payment(district.code)

    @sample(SubsidyBatch)
    def _batch(district):
        return quick_payment(district.code).batch


_subsidies_samples()


def _rent_samples():
    # Leases and bills (rent/, issue 14): an issued lease of a household of the district, its first bill.
    from datetime import date

    from rent.billing import services as billing_services
    from rent.models import Bill, DepositRefund, Lease
    from tests.rent.builders import active_lease, issued_lease

    @sample(Lease)
    def _lease(district):
        return issued_lease(district_code=district.code)

    @sample(Bill)
    def _bill(district):
        lease = active_lease(district_code=district.code, start_on=date(2026, 1, 1))
        billing_services.bills_make(period=date(2026, 2, 1))
        return Bill.objects.get(lease=lease, period=date(2026, 2, 1))

    @sample(DepositRefund)
    def _deposit_refund(district):
        # made as deposit_refund_send makes it, without the bank (its result is not what is scoped)
        from gongzufang import workflow
        from tests.rent.payment_builders import lease as payment_lease

        lease = payment_lease(district_code=district.code)
        refund = DepositRefund(reference=f"YJ-SAMPLE-{lease.pk}", lease=lease, tenant_id=lease.tenant_id,
                               district_id=lease.district_id, amount=lease.deposit, account_name="王丽",
                               account_no="621700123456789003")
        refund.save()
        workflow.record_start(refund, actor=None)
        return refund


_rent_samples()


def _rent_payment_samples():
    # The payment half (rent/payments/, issue 14): an order, a counter payment, a statement and its line.
    from rent.models import Payment, PaymentOrder, StatementImport, StatementLine
    from tests.rent import payment_builders as pay

    @sample(PaymentOrder)
    def _order(district):
        return pay.pending_order(district_code=district.code)

    @sample(Payment)
    def _payment(district):
        return pay.counter_payment(district_code=district.code)

    @sample(StatementImport)
    def _statement(district):
        return pay.statement(district)

    @sample(StatementLine)
    def _statement_line(district):
        return pay.statement(district).lines.get()


_rent_payment_samples()


def _choice_samples():
    # 选房 (allocation/choice): a held offer, chosen at the counter by a caseworker of the district.
    from allocation.models import Offer
    from tests.allocation.choice_builders import held_offer

    @sample(Offer)
    def _offer(district):
        return held_offer(district)


_choice_samples()


def _tenancy_samples():
    # 年审、监管与退出 (tenancy/, issue 16): each on a quick grant of the district.
    from tenancy.models import AnnualReview, ExitCase, MonitoringAlert
    from tests.tenancy import builders

    @sample(AnnualReview)
    def _review(district):
        return builders.sample_review(district.code)

    @sample(MonitoringAlert)
    def _alert(district):
        return builders.sample_alert(district.code)

    @sample(ExitCase)
    def _exit(district):
        return builders.sample_exit(district.code)


_tenancy_samples()
