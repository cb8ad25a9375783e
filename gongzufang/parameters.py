"""Dated policy parameters: the registry of keys, and `param()` to read a value on a date.

Rules are code; their thresholds are data (DESIGN §6). Each key is declared once below with its
label, type, unit, default and the source of the default. Rows of `PolicyParameter` give dated
values, city-wide or for one district; a district's own value wins over the city-wide one.
Defaults come from comparable cities (Daqing's own figures were not found) and are meant to be
edited by city staff in the admin.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import timezone

CATEGORIES = {
    "minimum_living": "低保/特困",
    "low_income": "低收入",
    "lower_middle_income": "中等偏下收入",
    "new_graduate": "新就业无房职工",
    "migrant_worker": "外来务工人员",
    "special": "特殊群体",
}
MATERIAL_KINDS = {
    "identity": "身份证明",
    "hukou_or_residence": "户籍或居住证明",
    "marital_status": "婚姻状况证明",
    "income": "收入证明",
    "current_housing": "现住房情况证明",
    "category_proof": "类别证明",
}
PRIORITY_GROUPS = {
    "minimum_living": "低保/特困",
    "martyr_family": "优抚对象/烈属",
    "severe_disability": "重度残疾",
    "heroic_act": "见义勇为",
    "bereaved_parents": "失独家庭",
    "model_worker": "劳动模范",
}
EXIT_GROUNDS = {
    "voluntary": "自愿退出",
    "sublet": "转租转借",
    "change_of_use": "改变用途",
    "vacant": "连续空置",
    "arrears": "累计欠租",
    "failed_recertification": "年审不合格",
    "other_housing": "购买或获得其他住房",
    "illegal_use": "违法使用",
}

# Demo defaults carry where the figure comes from (the rule it puts into numbers, or the comparable
# cities' practice it follows), clearly labelled as a default: Daqing's own figure is entered by the
# city in the admin (政策参数) as a new dated row with its own document (issue 12, item 10).
DEMO_NOTE = "（演示默认值，本市标准以市住建局在管理后台“政策参数”中录入的为准）"
DEFAULT_SOURCE = "系统默认值（参照同类城市，待市住建局核定）"  # the text of rows seeded before item 10
_MEASURES = "《公共租赁住房管理办法》（住房和城乡建设部令第11号）"
_MERGER = "《住房城乡建设部 财政部 国家发展改革委关于公共租赁住房和廉租住房并轨运行的通知》（建保〔2013〕178号）"
_GUIDE = "《关于加快发展公共租赁住房的指导意见》（建保〔2010〕87号）"
_PLATFORM = "本平台办理规则（内部管理设置，无上位法规定）"
# key prefix → citation; the longest matching prefix wins.
SOURCES = {
    "review.": f"{_MEASURES}第二章“申请与审核”（审核、公示、复核程序；时限参照同类城市规定）",
    "review.due_soon_workdays": _PLATFORM,
    "crosscheck.": f"{_PLATFORM}；部门数据经政务数据共享交换平台查询",
    "materials.": f"{_MEASURES}第二章“申请与审核”（按住房保障主管部门的规定提交申请材料；可由部门共享核验的不再要求提交）",
    "eligibility.": f"{_MEASURES}第七条（在本地无住房或者住房面积低于规定标准，收入、财产低于规定标准）；数额参照同类城市公布的标准",
    "eligibility.new_graduate_years": f"{_GUIDE}（新就业无房职工纳入保障范围）；年限参照同类城市规定",
    "eligibility.labour_contract_months": f"{_GUIDE}（在城市稳定就业的新就业职工）；期限参照同类城市规定",
    "eligibility.social_insurance_months": f"{_GUIDE}（新就业职工、外来务工人员纳入保障范围）；缴费月数参照同类城市规定",
    "waitlist.": f"{_MEASURES}第三章“轮候与配租”（优先安排的对象由市、县级人民政府确定）",
    "allocation.": f"{_MEASURES}第三章“轮候与配租”",
    "lease.": f"{_MEASURES}第四章“使用与退出”（租赁合同期限一般不超过5年）",
    "rent.": f"{_MEASURES}第四章“使用与退出”；{_MERGER}（租金按同地段市场租金的一定比例确定）",
    "rent.bill_interval_months": _PLATFORM,
    "rent.due_day": _PLATFORM,
    "rent.reminder_": f"{_PLATFORM}（逾期提醒，参照同类城市公租房租金催缴做法）",
    "rent.payment_": f"{_PLATFORM}（网上缴费订单，参照银行聚合支付订单的常用有效期）",
    "subsidy.": f"{_MERGER}（租赁补贴分档确定）；标准参照同类城市规定",
    "subsidy.batch_day": _PLATFORM,
    "annual_review.": f"{_MEASURES}第四章“使用与退出”（承租人条件定期复核）",
    "exit.": f"{_MEASURES}第四章“使用与退出”（转租、改变用途、无正当理由连续6个月以上闲置、累计6个月以上欠租应当退回）",
    "monitoring.": f"{_PLATFORM}（动态监管，“数据多跑路”）",
    "feedback.": f"{_PLATFORM}（参照12345政务服务便民热线答复时限）",
}


def default_source(key: str) -> str:
    """Where a parameter's demo default comes from, labelled as a default."""
    prefix = max((p for p in SOURCES if key.startswith(p)), key=len, default=None)
    return (SOURCES[prefix] if prefix else _PLATFORM) + DEMO_NOTE


def is_default_source(text: str) -> bool:
    return text == DEFAULT_SOURCE or text.endswith(DEMO_NOTE)


@dataclass(frozen=True)
class Definition:
    label: str
    kind: str  # "int", "decimal" or "codes" (comma-separated codes from `choices`)
    default: str
    unit: str = ""
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    choices: tuple = ()


PARAMETERS: dict[str, Definition] = {}


def _define(key, label, kind, default, unit="", minimum=None, maximum=None, choices=()):
    PARAMETERS[key] = Definition(
        label, kind, str(default), unit,
        None if minimum is None else Decimal(str(minimum)),
        None if maximum is None else Decimal(str(maximum)),
        tuple(choices),
    )


# §4 time limits
_define("review.total_workdays", "审批总时限", "int", 15, "工作日", 1, 60)
_define("review.street_workdays", "街道初审时限", "int", 3, "工作日", 1, 30)
_define("review.crosscheck_workdays", "部门联审时限", "int", 3, "工作日", 1, 30)
_define("review.district_workdays", "区县审核时限", "int", 5, "工作日", 1, 30)
_define("review.city_workdays", "市级复核时限", "int", 4, "工作日", 1, 30)
_define("review.public_notice_days", "公示期", "int", 7, "日", 1, 30)
_define("review.due_soon_workdays", "临期提醒", "int", 2, "工作日", 0, 10)
_define("review.recheck_request_days", "申请复核期限", "int", 15, "日", 1, 90)
_define("crosscheck.freshness_days", "部门数据有效期（不重复查询）", "int", 30, "日", 0, 365)
for _cat, _name in CATEGORIES.items():
    _define(
        f"materials.required.{_cat}", f"申请材料（{_name}）", "codes",
        "identity,hukou_or_residence,marital_status,income,current_housing,category_proof",
        choices=MATERIAL_KINDS,
    )

# §6 eligibility
for _cat, _limit in {
    "minimum_living": "1500.00", "low_income": "1800.00", "lower_middle_income": "2800.00",
    "new_graduate": "4500.00", "migrant_worker": "3500.00", "special": "2800.00",
}.items():
    _define(f"eligibility.income_limit.{_cat}", f"人均月收入上限（{CATEGORIES[_cat]}）", "decimal", _limit, "元/人·月", 0)
_define("eligibility.housing_area_per_capita_max", "人均住房面积上限（低于）", "decimal", "15.00", "㎡", 0)
_define("eligibility.property_sold_years", "近年内未出售住房", "int", 5, "年", 0, 20)
_define("eligibility.vehicle_value_max", "机动车价值上限", "decimal", "100000.00", "元", 0)
_define("eligibility.business_capital_max", "经营性资产（注册资本）上限", "decimal", "100000.00", "元", 0)
_define("eligibility.new_graduate_years", "毕业年限（新就业）", "int", 5, "年", 0, 20)
_define("eligibility.labour_contract_months", "劳动合同期限（新就业）", "int", 12, "月", 0, 120)
_define("eligibility.social_insurance_months", "连续缴纳社保（新就业/外来务工）", "int", 12, "月", 0, 120)

# §7 waitlist and allocation
for _rank, (_grp, _name) in enumerate(PRIORITY_GROUPS.items(), start=1):
    _define(f"waitlist.priority_rank.{_grp}", f"优先顺位（{_name}）", "int", _rank, "位", 1, 99)
for _size, _beds in {"1": 1, "2": 1, "3": 2, "4": 2, "5": 3}.items():
    _define(f"allocation.max_bedrooms.size_{_size}", f"可配户型（{_size}{'人及以上' if _size == '5' else '人'}）", "int", _beds, "居室", 1, 5)
_define("allocation.refusals_before_suspension", "拒绝配租次数上限", "int", 2, "次", 1, 10)
_define("allocation.suspension_months", "拒绝后暂停轮候", "int", 12, "月", 0, 60)
_define("allocation.offer_sign_days", "选房后签约期限", "int", 7, "日", 1, 60)
# issue 13 (allocation): the general group's rank, the longest wait, the choice windows
_define("waitlist.priority_rank.general", "优先顺位（一般轮候家庭）", "int", 10, "位", 1, 99)
_define("waitlist.max_wait_years", "最长轮候期", "int", 5, "年", 1, 20)
_define("allocation.households_per_window", "每批选房户数", "int", 20, "户", 1, 1000)
_define("allocation.window_hours", "每批选房时长", "int", 48, "小时", 1, 720)

# §8 lease, rent, subsidy
_define("lease.term_years", "租赁合同期限", "int", 3, "年", 1, 5)
_define("lease.deposit_months", "押金", "int", 2, "个月租金", 0, 6)
_define("rent.default_per_sqm", "公租房租金标准（默认）", "decimal", "8.00", "元/㎡·月", 0)
_define("rent.market_per_sqm", "市场租金标准", "decimal", "20.00", "元/㎡·月", 0)
_define("rent.bill_interval_months", "账单周期", "int", 1, "月", 1, 12)
_define("rent.due_days", "缴费期限（账单开出后）", "int", 15, "日", 1, 60)
for _cat, (_coef, _std, _sub) in {
    "minimum_living": ("0.10", "12.00", "1.00"), "low_income": ("0.50", "10.00", "0.80"),
    "lower_middle_income": ("0.80", "8.00", "0.60"), "new_graduate": ("1.00", "6.00", "0.50"),
    "migrant_worker": ("1.00", "6.00", "0.50"), "special": ("0.50", "10.00", "0.80"),
}.items():
    _define(f"rent.coefficient.{_cat}", f"租金系数（{CATEGORIES[_cat]}）", "decimal", _coef, "", 0, 1)
    _define(f"subsidy.standard_per_sqm.{_cat}", f"补贴标准（{CATEGORIES[_cat]}）", "decimal", _std, "元/㎡·月", 0)
    _define(f"subsidy.coefficient.{_cat}", f"补贴系数（{CATEGORIES[_cat]}）", "decimal", _sub, "", 0, 1)
_define("subsidy.area_per_person", "人均保障面积标准", "decimal", "15.00", "㎡", 0)

# §8 bills and arrears (issue 14, leases and bills): due on the 10th of the billed month; reminders
# on the due date +3 and +10 days; arrears flagged on the lease at exit.arrears_months in total.
_define("rent.due_day", "每月缴费截止日", "int", 10, "日", 1, 28)
_define("rent.reminder_first_days", "第一次欠费提醒（截止日后）", "int", 3, "日", 1, 60)
_define("rent.reminder_second_days", "第二次欠费提醒（截止日后）", "int", 10, "日", 1, 90)
# issue 14, the payment half (rent/payments/): how long a payment order may be paid at the bank, and
# after how long a pending order is asked about (its notification may be lost).
_define("rent.payment_order_minutes", "缴费订单有效期", "int", 30, "分钟", 5, 1440)
_define("rent.payment_query_after_minutes", "未收到银行通知的订单主动查询间隔", "int", 15, "分钟", 1, 1440)
# issue 15 (subsidies/): the day of the month the disbursement list is frozen (beat job), and the
# platform's own rules of the batch.
_define("subsidy.batch_day", "补贴发放批次生成日", "int", 20, "日（每月）", 1, 28)

# §9 re-certification and exit
_define("annual_review.open_days_before", "年审提前开启", "int", 30, "日", 1, 120)
_define("annual_review.reply_days", "年审申报期限", "int", 30, "日", 1, 120)
_define("exit.vacant_months", "连续空置退出", "int", 6, "月", 1, 24)
_define("exit.arrears_months", "累计欠租退出", "int", 6, "月", 1, 24)
_define("exit.moveout_months", "腾退期（按合同租金）", "int", 2, "月", 0, 12)
for _ground, _years in {
    "voluntary": 0, "sublet": 5, "change_of_use": 5, "vacant": 3, "arrears": 3,
    "failed_recertification": 0, "other_housing": 0, "illegal_use": 5,
}.items():
    _define(f"exit.reapply_bar_years.{_ground}", f"再申请限制（{EXIT_GROUNDS[_ground]}）", "int", _years, "年", 0, 10)
# issue 16 (tenancy/): the reminder before a review's deadline, the 陈述申辩 period, the monthly
# monitoring interval and how long a caseworker has to resolve an alert.
_define("annual_review.reminder_days_before", "年审截止前提醒", "int", 7, "日", 1, 60)
_define("exit.statement_workdays", "退出陈述申辩期", "int", 5, "工作日", 1, 30)
_define("monitoring.interval_months", "动态监管核查周期", "int", 1, "月", 1, 12)
_define("monitoring.alert_workdays", "监管预警处理时限", "int", 10, "工作日", 1, 60)

# §10 feedback
_define("feedback.reply_workdays", "意见反馈答复时限", "int", 5, "工作日", 1, 30)


def parse_value(key, raw):
    """The typed value of `raw` for `key`; a ValidationError with a Chinese message otherwise."""
    definition = PARAMETERS.get(key)
    if definition is None:
        raise ValidationError(f"未登记的参数：{key}")
    text = str(raw).strip()
    if definition.kind == "codes":
        codes = [c.strip() for c in text.split(",") if c.strip()]
        unknown = [c for c in codes if c not in definition.choices]
        if unknown:
            raise ValidationError(f"无效代码：{'、'.join(unknown)}；可选：{'、'.join(definition.choices)}")
        return codes
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(f"“{text}”不是有效的数值。") from None
    if not number.is_finite():
        raise ValidationError(f"“{text}”不是有效的数值。")
    if definition.kind == "int" and number != number.to_integral_value():
        raise ValidationError("该参数须为整数。")
    if definition.minimum is not None and number < definition.minimum:
        raise ValidationError(f"不得小于 {definition.minimum}。")
    if definition.maximum is not None and number > definition.maximum:
        raise ValidationError(f"不得大于 {definition.maximum}。")
    return int(number) if definition.kind == "int" else number


@dataclass(frozen=True)
class ResolvedParameter:
    """A value together with where it came from, for recording beside a decision."""

    key: str
    value: object
    raw: str
    row_id: int | None
    effective_from: date | None
    district_code: str | None
    legal_source: str

    def as_record(self):
        return {
            "key": self.key, "value": self.raw, "row_id": self.row_id,
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "district": self.district_code, "legal_source": self.legal_source,
        }


def _district_id(district):
    if district is None:
        return None
    if isinstance(district, int):
        return district
    if isinstance(district, str):
        from gongzufang.models import District

        return District.objects.filter(code=district).values_list("pk", flat=True).first()
    return district.pk


def resolve(key, *, on=None, district=None) -> ResolvedParameter:
    """The value of `key` in force on `on` (default today) for `district` (or city-wide)."""
    from gongzufang.models import PolicyParameter

    if key not in PARAMETERS:
        raise KeyError(f"未登记的参数：{key}")
    on = on or timezone.localdate()
    district_id = _district_id(district)
    rows = PolicyParameter.objects.filter(key=key, effective_from__lte=on)
    row = None
    if district_id is not None:
        row = rows.filter(district_id=district_id).order_by("-effective_from").select_related("district").first()
    if row is None:
        row = rows.filter(district__isnull=True).order_by("-effective_from").first()
    if row is None:
        definition = PARAMETERS[key]
        return ResolvedParameter(key, parse_value(key, definition.default), definition.default, None, None, None,
                                 default_source(key))
    return ResolvedParameter(
        key, parse_value(key, row.value), row.value, row.pk, row.effective_from,
        row.district.code if row.district_id else None, row.legal_source,
    )


def param(key, *, on=None, district=None):
    """The typed value of a policy parameter on a date, e.g. `param("review.total_workdays")`."""
    return resolve(key, on=on, district=district).value


SEED_EFFECTIVE_FROM = date(2000, 1, 1)


def seed_defaults(PolicyParameter=None):
    """Create the city-wide default row of every key that has none. Idempotent; run after
    every migrate, so a key added by a later release gets its default row at once."""
    if PolicyParameter is None:
        from gongzufang.models import PolicyParameter

    existing = set(PolicyParameter.objects.filter(district__isnull=True).values_list("key", flat=True))
    PolicyParameter.objects.bulk_create(
        PolicyParameter(key=k, value=d.default, effective_from=SEED_EFFECTIVE_FROM, legal_source=default_source(k))
        for k, d in PARAMETERS.items()
        if k not in existing
    )


def parameter_row(record: dict) -> dict:
    """A parameter version as it was used (`ResolvedParameter.as_record()`, kept on an evaluation, a lease or a
    subsidy computation), for showing: its label and unit, date, scope and legal source
    (templates/includes/parameter_table.html)."""
    definition = PARAMETERS.get(record["key"])
    unit = definition.unit if definition else ""
    return {
        "key": record["key"],
        "label": definition.label if definition else record["key"],
        "value": f"{record['value']} {unit}".strip(),
        "effective_from": record.get("effective_from") or "—",
        "scope": f"区县 {record['district']}" if record.get("district") else "全市",
        "legal_source": record.get("legal_source") or "—",
        "row_id": record.get("row_id"),
    }
