"""Seed content of the public guide: the article categories and the two forms of assistance.

Conditions come from DESIGN §6, materials from §4 (and parameters `materials.required.*`), the
process from §4. Figures are quoted as `{parameter.key}` so the guide shows the value in force.
City staff edit all of it in the admin; the seed only adds what is missing.
"""

ARTICLE_CATEGORIES = [
    ("policy", "政策法规", 1),
    ("guide", "办事指南", 2),
    ("notice", "通知公告", 3),
    ("news", "新闻动态", 4),
]

_GENERAL_CONDITIONS = [
    "申请人年满 18 周岁，具有完全民事行为能力；申请人及共同申请的家庭成员具有本市户籍，或持有本市居住证。",
    "家庭人均住房建筑面积低于 {eligibility.housing_area_per_capita_max} 平方米。",
    "家庭成员在本市无自有产权住房，且申请之日前 {eligibility.property_sold_years} 年内未出售、赠与或转让住房。",
    "家庭成员名下无价值超过 {eligibility.vehicle_value_max} 元的机动车（残疾人代步车除外）。",
    "家庭成员名下无注册资本超过 {eligibility.business_capital_max} 元的企业或个体经营。",
]

_INCOME_CONDITIONS = {
    "minimum_living": "持有有效的最低生活保障证或特困人员救助供养证，家庭人均月收入不高于 "
                      "{eligibility.income_limit.minimum_living} 元。",
    "low_income": "经民政部门认定为低收入家庭，家庭人均月收入不高于 {eligibility.income_limit.low_income} 元。",
    "lower_middle_income": "家庭人均月收入不高于 {eligibility.income_limit.lower_middle_income} 元。",
    "new_graduate": "全日制大中专院校毕业不超过 {eligibility.new_graduate_years} 年，与本市用人单位签订 "
                    "{eligibility.labour_contract_months} 个月以上劳动合同，在本市连续缴纳社会保险 "
                    "{eligibility.social_insurance_months} 个月以上，人均月收入不高于 "
                    "{eligibility.income_limit.new_graduate} 元。",
    "migrant_worker": "持有本市居住证，在本市稳定就业并连续缴纳社会保险 {eligibility.social_insurance_months} "
                      "个月以上，人均月收入不高于 {eligibility.income_limit.migrant_worker} 元。",
    "special": "属于优抚对象、重度残疾人、见义勇为人员、计划生育特殊家庭、劳动模范等特殊群体，家庭人均月收入不高于 "
               "{eligibility.income_limit.special} 元。",
}

_CATEGORY_NOTES = {
    "minimum_living": "城乡低保家庭、特困供养人员，优先保障",
    "low_income": "民政部门认定的低收入家庭",
    "lower_middle_income": "城镇中等偏下收入住房困难家庭",
    "new_graduate": "毕业 {eligibility.new_graduate_years} 年内、在本市就业的无房职工",
    "migrant_worker": "在本市稳定就业的外来务工人员",
    "special": "优抚对象、重度残疾、见义勇为、失独家庭、劳动模范等",
}

_MATERIALS = [
    ("identity", "身份证明", "申请人及共同申请家庭成员的居民身份证（未成年子女可提供户口簿）。"),
    ("hukou_or_residence", "户籍或居住证明", "户口簿；非本市户籍的提供本市居住证。"),
    ("marital_status", "婚姻状况证明", "结婚证、离婚证及离婚协议或判决书；未婚的填写承诺。民政部门能在线核验的无需提供。"),
    ("income", "收入证明", "工作单位出具的近 12 个月收入证明；灵活就业人员填写收入申报表。"),
    ("current_housing", "现住房情况证明", "现居住房屋的租赁合同或社区出具的住房情况说明。"),
    ("category_proof", "类别证明", "按保障对象类别提供：低保证、特困供养证、残疾证、劳动合同、毕业证书、优抚证等。"),
]

_STEPS = [
    ("网上申请", "登录本平台填写家庭成员、收入和住房情况，上传申请材料；也可携带身份证到所在街道（乡镇）受理窗口现场办理。", ""),
    ("受理", "街道受理员核对材料：齐全的当场受理并出具受理回执；需要补正的一次性告知全部补正事项，补正期间不计入办理时限。", "即时"),
    ("街道初审", "街道（乡镇）对申请家庭的居住、收入和住房情况进行入户调查和初审。", "{review.street_workdays} 个工作日"),
    ("部门联审", "系统向公安、不动产登记、民政、人社、住房公积金、市场监管、税务等部门在线核验户籍、房产、车辆、"
                 "社保、收入等信息，申请人无需自行开具证明。", "{review.crosscheck_workdays} 个工作日"),
    ("区县审核", "区县住房保障部门审核申请家庭是否符合保障条件。", "{review.district_workdays} 个工作日"),
    ("公示", "审核通过的家庭在其居住地社区和本平台公示，接受社会监督；公示期不计入办理时限。", "{review.public_notice_days} 日"),
    ("市级复核", "市住房保障部门复核，作出准予或不予保障的决定；不予保障的书面告知理由。", "{review.city_workdays} 个工作日"),
]

ASSISTANCE_FORMS = [
    {
        "code": "unit",
        "name": "实物配租",
        "sort_order": 1,
        "summary": "政府提供公共租赁住房，按低于市场水平的租金出租给符合条件的住房困难家庭。自受理之日起 "
                   "{review.total_workdays} 个工作日内办结审批。取得资格后进入轮候，按优先顺序和资格取得时间参加摇号选房。",
        "categories": ["minimum_living", "low_income", "lower_middle_income", "new_graduate", "migrant_worker", "special"],
        "extra_conditions": [],
        "last_step": ("轮候配租", "进入轮候名册，按优先顺位、资格取得时间和申请编号排序；参加摇号、选房，"
                                  "签订租赁合同（期限 {lease.term_years} 年）后入住。", ""),
        "extra_materials": [],
    },
    {
        "code": "subsidy",
        "name": "租赁补贴",
        "sort_order": 2,
        "summary": "在市场上自行租房的住房困难家庭，按月领取租赁补贴，补贴金额按保障面积标准、补贴标准和家庭住房面积核定，"
                   "不超过实际支付的租金。自受理之日起 {review.total_workdays} 个工作日内办结审批。",
        "categories": ["minimum_living", "low_income", "lower_middle_income", "special"],
        "extra_conditions": ["在本市租赁住房居住，并与出租人签订房屋租赁合同。"],
        "last_step": ("补贴发放", "签订租赁补贴协议，按月核定补贴金额，分批通过银行发放到申请人账户；发放失败的在下一批次补发。", "每月"),
        "extra_materials": [("", "房屋租赁合同", "与出租人签订的房屋租赁合同（资格审核通过、签订补贴协议时提供）。")],
    },
]


def load_guide(ArticleCategory, AssistanceForm, AssistanceCategory, AssistanceCondition, AssistanceMaterial,
               AssistanceStep):
    """Create what is missing; never changes what staff have edited."""
    for code, name, order in ARTICLE_CATEGORIES:
        ArticleCategory.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for spec in ASSISTANCE_FORMS:
        form, created = AssistanceForm.objects.get_or_create(
            code=spec["code"],
            defaults={"name": spec["name"], "summary": spec["summary"], "sort_order": spec["sort_order"]},
        )
        if not created:
            continue
        for i, category in enumerate(spec["categories"], start=1):
            AssistanceCategory.objects.create(
                form=form, category=category, description=_CATEGORY_NOTES[category], sort_order=i,
            )
        order = 0
        for text in _GENERAL_CONDITIONS + spec["extra_conditions"]:
            order += 1
            AssistanceCondition.objects.create(form=form, category="", text=text, sort_order=order)
        for category in spec["categories"]:
            order += 1
            AssistanceCondition.objects.create(
                form=form, category=category, text=_INCOME_CONDITIONS[category], sort_order=order,
            )
        for i, (kind, name, description) in enumerate(_MATERIALS + spec["extra_materials"], start=1):
            AssistanceMaterial.objects.create(form=form, kind=kind, name=name, description=description, sort_order=i)
        for i, (title, description, time_limit) in enumerate(_STEPS + [spec["last_step"]], start=1):
            AssistanceStep.objects.create(
                form=form, title=title, description=description, time_limit=time_limit, sort_order=i,
            )
