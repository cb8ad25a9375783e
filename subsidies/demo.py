"""Demo 租赁补贴 for `seed_demo` (idempotent): 22 households of 萨尔图区 (230602) across the categories
with a grant, a market lease and a verified account each; the batches of the three months before this
one made, approved by the district (saertu), confirmed by the city (shi) and paid — one payment failed
the first month (账户已销户) and was paid in the next batch after the household changed its account —
and one grant suspended from this month (年审未按期申报). Log in as `butie01` (password as the other demo
users) to see 我的补贴.

The demo households' applications are written as already approved (the review itself is shown by
applications' own demo), and the bank's result files are written here as the simulated bank answers
them, so seeding needs no bank running.
"""

import csv
import io
from datetime import date
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from gongzufang.models import District, Street, User

NAMES = ["赵建华", "钱晓燕", "孙立国", "李秀兰", "周海涛", "吴桂芳", "郑志强", "王淑珍", "冯德胜", "陈玉梅",
         "褚卫东", "卫红霞", "蒋国庆", "沈丽娟", "韩永明", "杨春花", "朱宝山", "秦素芬", "尤金龙", "许美玲",
         "何建军", "吕凤英"]
CATEGORIES = ["minimum_living", "low_income", "lower_middle_income", "new_graduate", "migrant_worker", "special"]
RENTS = ["600.00", "900.00", "1200.00", "150.00", "800.00", "1000.00"]
FAILED_INDEX = 3  # butie04: the first month fails, paid in the next batch
SUSPENDED_INDEX = 7  # butie08: suspended from this month


def _months_back(today, n):
    year, month = today.year, today.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, 1)


def _id_number(serial, born="19800101"):
    from gongzufang.idnumber import check_character

    first17 = f"230602{born}{serial:03d}"
    return first17 + check_character(first17)


def _account_no(serial, salt=0):
    prefix = f"62170088{salt:02d}{serial:08d}"
    digits = [int(d) for d in prefix]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return prefix + str((10 - total % 10) % 10)


def _pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return ContentFile(out.getvalue(), name="contract.pdf")


def _household(index, start):
    """An approved 租赁补贴 application of demo household `index`, and its grant (from `start`)."""
    from applications.models import Application, Household, HouseholdMember
    from gongzufang.demo import demo_password_hash

    from . import services
    from .models import GrantComputation, SubsidyGrant

    username = f"butie{index + 1:02d}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, real_name=NAMES[index], password=demo_password_hash(),
                                   phone=f"1390459{index + 1:04d}", id_number=_id_number(500 + index),
                                   id_verified_at=timezone.now())
    grant = SubsidyGrant.objects.filter(applicant=user).first()
    if grant is not None:
        return grant
    street = Street.objects.filter(district__code="230602").order_by("code").first()
    household = Household.objects.create(applicant=user)
    size = 1 + index % 4
    for n in range(size):
        HouseholdMember.objects.create(
            household=household, relationship="self" if n == 0 else ("spouse" if n == 1 else "child"),
            name=NAMES[index] if n == 0 else f"{NAMES[index][0]}家{n}", sort_order=n,
            id_number=user.id_number if n == 0 else _id_number(600 + index * 4 + n, "20100101" if n > 1 else "19820101"),
            sex="male", birth_date=date(1980, 1, 1), marital_status="married" if size > 1 else "unmarried",
            confirmed_at=timezone.now())
    app = Application.objects.create(
        number=f"GZFDEMOBT{index + 1:02d}", applicant=user, household=household, assistance_type="subsidy",
        category=CATEGORIES[index % len(CATEGORIES)], district=street.district, street=street,
        community=street.communities.order_by("code").first(), housing_type="private_rent", housing_area=0,
        status="approved", submitted_at=timezone.now(), decided_at=timezone.now())
    grant = services.grant_create_for_application(application=app)
    SubsidyGrant.objects.filter(pk=grant.pk).update(start_period=start, payable_from=start)
    grant.refresh_from_db()
    lease_rent = RENTS[index % len(RENTS)]
    from .models import BankAccount, MarketLease

    lease = MarketLease(grant=grant, landlord_name=f"房东{index + 1}", address=f"萨尔图区东风新村 {index + 1}-1-101",
                        monthly_rent=Decimal(lease_rent), start_on=_months_back(start, 1), end_on=date(start.year + 2, 1, 1))
    lease.contract.save("contract.pdf", _pdf(), save=False)
    lease.save()
    # The amount from the first month, capped by this lease.
    GrantComputation.objects.filter(grant=grant).delete()
    services.grant_recompute(grant=grant, today=start)
    BankAccount.objects.create(grant=grant, holder_name=grant.holder_name, account_no=_account_no(index + 1),
                               verified_at=timezone.now())
    return grant


def _bank_result(batch, failing: dict) -> bytes:
    """The result file the bank answers for `batch` (as gongzufang/bank/simulated.py writes it)."""
    from .models import PaymentLine

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["批次号", "序号", "账号", "金额", "结果", "失败原因", "银行流水号"])
    for line in PaymentLine.objects.filter(batch=batch).select_related("account").order_by("line_no"):
        reason = failing.get(line.account_id)
        writer.writerow([batch.number, line.line_no, line.account.account_no, f"{line.amount:.2f}",
                         "失败" if reason else "成功", reason or "",
                         "" if reason else f"DEMO{batch.period:%Y%m}{line.line_no:06d}"])
    return out.getvalue().encode("utf-8")


def _pay_month(district, period, city, caseworker, failing):
    from . import services
    from .models import BatchStatus

    batch = services.batch_make(district=district, period=period).batch
    if batch.status == BatchStatus.FROZEN:
        services.batch_district_approve(batch=batch, actor=caseworker, opinion="名单核对无误")
    batch.refresh_from_db()
    if batch.status == BatchStatus.DISTRICT_APPROVED:
        services.batch_city_confirm(batch=batch, actor=city, opinion="同意发放")
    batch.refresh_from_db()
    if batch.status == BatchStatus.CITY_CONFIRMED:
        services.batch_issue_file(batch=batch, actor=caseworker)
    batch.refresh_from_db()
    if batch.status == BatchStatus.FILE_ISSUED:
        services.batch_import_results(batch=batch, actor=caseworker, content=_bank_result(batch, failing))
    return batch


def seed():
    district = District.objects.filter(code="230602").first()
    caseworker = User.objects.filter(username="saertu").first()
    city = User.objects.filter(username="shi").first()
    if district is None or caseworker is None or city is None:
        return
    with transaction.atomic():
        _seed(district, caseworker, city)


def _seed(district, caseworker, city):
    from . import services
    from .models import BankAccount, GrantStatus

    today = timezone.localdate()
    months = [_months_back(today, n) for n in (3, 2, 1)]
    grants = [_household(i, months[0]) for i in range(len(NAMES))]
    failing_grant = grants[FAILED_INDEX]
    closed = failing_grant.accounts.order_by("id").first()
    _pay_month(district, months[0], city, caseworker, {closed.pk: "账户已销户"})
    if failing_grant.accounts.count() == 1:
        # The household changed its account (online, with an SMS code) after the failure.
        closed.replaced_at = timezone.now()
        closed.save(update_fields=["replaced_at"])
        BankAccount.objects.create(grant=failing_grant, holder_name=failing_grant.holder_name,
                                   account_no=_account_no(FAILED_INDEX + 1, salt=1), verified_at=timezone.now())
    for period in months[1:]:
        _pay_month(district, period, city, caseworker, {})
    suspended = grants[SUSPENDED_INDEX]
    suspended.refresh_from_db()
    if suspended.status == GrantStatus.ACTIVE:
        services.grant_suspend(grant=suspended, actor=caseworker, reason="年审未按期申报",
                               from_period=services.first_of_month(today))


def logins():
    return [("butie01", NAMES[0], "我的补贴：补贴核算、三个月发放记录、脱敏账户"),
            (f"butie{FAILED_INDEX + 1:02d}", NAMES[FAILED_INDEX], "首月发放失败（账户已销户），更换账户后次月补发")]
