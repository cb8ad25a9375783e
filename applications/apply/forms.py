"""Forms of the application wizard. They parse and check the shape of input; the services decide."""

import unicodedata
from decimal import Decimal

from django import forms

from applications.apply.materials import ACCEPT
from applications.models import Disability, HousingType, MaritalStatus, Relationship
from gongzufang.formkit import PortalForm
from gongzufang.guide_forms import AssistanceCategoryField
from gongzufang.idnumber import IdNumberField
from gongzufang.models import Community, District, Street

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}
MONEY_ERRORS = {
    "invalid": "请输入数字金额，如 2500 或 2500.50。", "min_value": "金额不能为负数。",
    "max_decimal_places": "金额最多保留两位小数。", "max_digits": "金额过大，请核对。", "max_whole_digits": "金额过大，请核对。",
}
REQUIRED = "此项必填。"


class MoneyField(forms.DecimalField):
    """An amount as people type it: "1,600", "1，600", "1 600.50" and "１６００" are 1600."""

    def to_python(self, value):
        if isinstance(value, str):
            value = unicodedata.normalize("NFKC", value)
            value = value.replace(",", "").replace("，", "").replace(" ", "").replace("元", "")
        return super().to_python(value)


class AssistanceForm(PortalForm):
    choice = AssistanceCategoryField(
        help_text="实物配租是分配一套公租房；租赁补贴是按月发放租房补贴。每种方式可选的类别不同。",
    )


class MemberForm(PortalForm):
    relationship = forms.ChoiceField(label="与申请人关系", choices=[("", "请选择")] + [
        c for c in Relationship.choices if c[0] != Relationship.SELF], error_messages={"required": "请选择与申请人的关系。"})
    name = forms.CharField(label="姓名", max_length=40, error_messages={"required": "请输入姓名。"})
    id_number = IdNumberField(label="身份证号码", help_text="18 位；性别和出生日期将按身份证号码自动填写。",
                              error_messages={"required": "请输入身份证号码。"})
    marital_status = forms.ChoiceField(label="婚姻状况", choices=[("", "请选择")] + list(MaritalStatus.choices),
                                       error_messages={"required": "请选择婚姻状况。"})
    employer = forms.CharField(label="工作单位", max_length=100, required=False, help_text="无工作单位可不填。")
    monthly_income = MoneyField(label="月收入（元）", max_digits=10, decimal_places=2, min_value=Decimal("0"),
                                        help_text="税前工资、经营收入、养老金等合计；无收入填 0。",
                                        error_messages={**MONEY_ERRORS, "required": "请填写月收入，无收入填 0。"},
                                        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    disability = forms.ChoiceField(label="残疾等级", choices=Disability.choices, initial=Disability.NONE)

    def __init__(self, *args, is_self=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_self = is_self
        if is_self:
            # The applicant's own name and number are the verified ones.
            for name in ("relationship", "name", "id_number"):
                self.fields[name].required = False
                self.fields[name].disabled = True
            self.fields["relationship"].choices = Relationship.choices
            self.fields["id_number"].help_text = "已实名认证，不能修改。"


class HousingForm(PortalForm):
    housing_type = forms.ChoiceField(label="现住房类型", choices=HousingType.choices, widget=forms.RadioSelect,
                                     error_messages={"required": "请选择现住房类型。"})
    housing_area = forms.DecimalField(label="现住房建筑面积（㎡）", max_digits=7, decimal_places=2,
                                      min_value=Decimal("0"), max_value=Decimal("10000"),
                                      help_text="借住或无固定住所填 0。",
                                      error_messages={"required": "请填写面积，没有填 0。", "invalid": "请输入数字，如 45.5。",
                                                      "min_value": "面积不能为负数。", "max_value": "面积过大，请核对。",
                                                      "max_decimal_places": "面积最多保留两位小数。"},
                                      widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    housing_address = forms.CharField(label="现住址", max_length=200, required=False)


class AssetsForm(PortalForm):
    vehicle_count = forms.IntegerField(label="家庭拥有的机动车（辆）", min_value=0, max_value=50, initial=0,
                                       error_messages={"required": REQUIRED, "invalid": "请输入整数。",
                                                       "min_value": "不能为负数。", "max_value": "数量过大，请核对。"})
    vehicle_value = MoneyField(label="机动车总价值（元）", initial=0, help_text="按购买价格估算；没有填 0。",
                                       error_messages={**MONEY_ERRORS, "required": REQUIRED}, **MONEY,
                                       widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    business_count = forms.IntegerField(label="经营的企业或个体工商户（个）", min_value=0, max_value=50, initial=0,
                                        error_messages={"required": REQUIRED, "invalid": "请输入整数。",
                                                        "min_value": "不能为负数。", "max_value": "数量过大，请核对。"})
    business_capital = MoneyField(label="注册资本合计（元）", initial=0, help_text="没有填 0。",
                                          error_messages={**MONEY_ERRORS, "required": REQUIRED}, **MONEY,
                                          widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    property_sold_recently = forms.TypedChoiceField(
        label="近 5 年内是否出售、赠与过住房", choices=[("no", "否"), ("yes", "是")], widget=forms.RadioSelect,
        coerce=lambda v: v == "yes", error_messages={"required": "请选择是否出售过住房。"},
    )
    assets_note = forms.CharField(label="补充说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


class PreferencesForm(PortalForm):
    districts = forms.ModelMultipleChoiceField(
        label="意向区域（可多选）", queryset=District.objects.order_by("sort_order", "code"),
        widget=forms.CheckboxSelectMultiple, error_messages={"required": "请至少选择一个意向区域。"},
    )
    bedrooms = forms.TypedChoiceField(label="意向户型", coerce=int, widget=forms.RadioSelect,
                                      error_messages={"required": "请选择意向户型。"},
                                      help_text="按家庭人数确定可选户型，可以选择较小的户型。")

    def __init__(self, *args, bedroom_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bedrooms"].choices = list(bedroom_choices)


def _street_choices():
    groups = {}
    for street in Street.objects.select_related("district").order_by("district__sort_order", "code"):
        groups.setdefault(street.district.name, []).append((str(street.pk), street.name))
    return [("", "请选择街道/乡镇")] + list(groups.items())


class PlaceForm(PortalForm):
    street = forms.ChoiceField(label="所在街道/乡镇", help_text="按户籍或居住证所在地选择，由该街道受理您的申请。",
                               error_messages={"required": "请选择所在街道/乡镇。",
                                               "invalid_choice": "请选择列出的街道/乡镇。"},
                               widget=forms.Select(attrs={"data-street-select": ""}))
    community = forms.IntegerField(label="所在社区", error_messages={"required": "请选择所在社区。",
                                                                  "invalid": "请选择列出的社区。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].choices = _street_choices()

    def clean(self):
        cleaned = super().clean()
        street_id, community_id = cleaned.get("street"), cleaned.get("community")
        if street_id:
            cleaned["street"] = Street.objects.filter(pk=int(street_id)).first()
        if community_id is not None:
            community = Community.objects.filter(pk=community_id).first()
            if community is None:
                self.add_error("community", "请选择列出的社区。")
            elif cleaned.get("street") and community.street_id != cleaned["street"].pk:
                self.add_error("community", "所选社区不属于所选街道，请重新选择。")
            else:
                cleaned["community"] = community
        return cleaned

    def community_groups(self):
        groups = {}
        for c in Community.objects.select_related("street").order_by("street__code", "code"):
            groups.setdefault(c.street, []).append(c)
        return list(groups.items())


class ConsentForm(PortalForm):
    agree = forms.BooleanField(label="我已阅读并同意以上授权书", error_messages={"required": "请勾选同意授权书，否则申请不能提交。"})


class MaterialUploadForm(PortalForm):
    file = forms.FileField(label="选择文件", help_text="PDF、JPG 或 PNG，每个不超过 10 MB；照片会去除拍摄位置等信息。",
                           error_messages={"required": "请选择要上传的文件。", "empty": "文件为空，请重新选择。",
                                           "invalid": "未收到文件，请重新选择。"},
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))


class WithdrawForm(PortalForm):
    reason = forms.CharField(label="撤回原因（可不填）", required=False, max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label="我确认撤回这份申请", error_messages={"required": "请勾选确认撤回。"})


class RecheckForm(PortalForm):
    reason = forms.CharField(label="申请复核的理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
                             error_messages={"required": "请写明申请复核的理由。"},
                             help_text="请说明您认为审核结论有误的地方，例如收入或住房情况的变化、部门数据与实际不符等。")
