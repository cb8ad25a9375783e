"""Build subsidy grants through the real services: a 租赁补贴 application approved by the city (the
`application_approved` receiver makes the grant), then the household's lease and bank account."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from applications.apply import services as apply_services
from applications.models import Application
from subsidies import services
from subsidies.models import SubsidyGrant
from tests.applications.builders import applicant, fresh_id_number, submitted
from tests.applications.review_builders import approved
from tests.helpers import pdf_bytes

_accounts = iter(range(1, 10**6))


def luhn_complete(prefix: str) -> str:
    digits = [int(d) for d in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            d = d - 9 if d > 9 else d
        total += d
    return prefix + str((10 - total % 10) % 10)


def fresh_account() -> str:
    """A Luhn-valid 19-digit number the simulated bank opens for whoever asks first."""
    return luhn_complete(f"621799{next(_accounts):012d}")


def contract(name="contract.pdf"):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def approved_subsidy(user=None, *, category="low_income", members=(), housing=None):
    """An approved 租赁补贴 application (and so its grant). `members`: extra members (relationship, name);
    `housing`: ("own", Decimal area) to declare an owned home."""
    user = user or applicant(name="李华")
    people = [(rel, name, fresh_id_number(born="20100101" if rel == "child" else "19880101"))
              for rel, name in members]
    app = submitted(user, assistance="subsidy", category=category, members=people)
    if housing:
        # Declared before submission in real life; the test sets it on the approved record's draft copy.
        Application.objects.filter(pk=app.pk).update(housing_type=housing[0], housing_area=housing[1])
        app = Application.objects.get(pk=app.pk)
    approved(app)
    return SubsidyGrant.objects.get(application=app)


def ready_grant(user=None, *, rent="2000.00", account=None, category="low_income", members=(), today=None):
    """A grant with its lease and its verified account (needs the simulated bank)."""
    grant = approved_subsidy(user, category=category, members=members)
    services.lease_register(grant=grant, actor=grant.applicant, landlord_name="张房东", address="萨尔图区某小区 1-101",
                            monthly_rent=rent, start_on=date(2026, 1, 1), end_on=date(2027, 12, 31),
                            contract=contract(), today=today)
    services.account_register(grant=grant, actor=grant.applicant, account_no=account or fresh_account())
    return SubsidyGrant.objects.get(pk=grant.pk)


__all__ = ["Decimal", "apply_services", "approved_subsidy", "ready_grant", "fresh_account", "contract"]


def quick_grant(district_code="230602"):
    """A grant made straight from a submitted 租赁补贴 application (no review walk): for samples."""
    from tests import factories

    app = submitted(assistance="subsidy", street=factories.first_street(district_code))
    return services.grant_create_for_application(application=app)


def quick_payment(district_code="230602"):
    """A pending payment in a frozen batch of a quick grant (its lease and account written directly)."""
    from django.utils import timezone

    from subsidies.models import BankAccount, PaymentLine, SubsidyBatch, SubsidyPayment

    grant = quick_grant(district_code)
    account = BankAccount.objects.create(grant=grant, holder_name=grant.holder_name, account_no=fresh_account(),
                                         verified_at=timezone.now())
    batch, _ = SubsidyBatch.objects.get_or_create(district=grant.district, period=date(2030, 1, 1),
                                                  defaults={"number": f"BT203001{grant.district.code}"})
    payment = SubsidyPayment.objects.create(grant=grant, period=batch.period, batch=batch, district=grant.district,
                                            computation=grant.computations.first(), amount=grant.monthly_amount)
    PaymentLine.objects.create(batch=batch, line_no=batch.lines.count() + 1, payment=payment, account=account,
                               amount=payment.amount)
    return payment
