"""Forms of 我的补贴. They parse the shape of input; the services decide (the bank checks the account)."""

from django import forms

from gongzufang.formkit import DateInput, PortalForm

DATE_INPUT = DateInput()


class LeaseForm(PortalForm):
    landlord_name = forms.CharField(label="出租人", max_length=60, error_messages={"required": "请填写出租人姓名或名称。"})
    address = forms.CharField(label="租赁房屋地址", max_length=200, error_messages={"required": "请填写租赁房屋地址。"})
    area = forms.CharField(label="租赁面积（㎡）", required=False, max_length=12,
                           widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    monthly_rent = forms.CharField(label="月租金（元）", max_length=12, help_text="按合同约定的每月实际租金填写，补贴以此封顶。",
                                   widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                   error_messages={"required": "请填写月租金。"})
    start_on = forms.DateField(label="租期开始", widget=DATE_INPUT,
                               error_messages={"required": "请填写租期开始日期。", "invalid": "日期格式应为 年-月-日。"})
    end_on = forms.DateField(label="租期结束", widget=DATE_INPUT,
                             error_messages={"required": "请填写租期结束日期。", "invalid": "日期格式应为 年-月-日。"})
    contract = forms.FileField(label="租赁合同（PDF）", help_text="请上传双方签字的租赁合同扫描件，PDF 格式，不超过 10 MB。",
                               widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
                               error_messages={"required": "请上传租赁合同（PDF）。"})


class AccountForm(PortalForm):
    account_no = forms.CharField(label="银行账号", max_length=30, help_text="须为申请人本人名下的银行卡或存折账号（16–19 位）。",
                                 widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                                 error_messages={"required": "请填写银行账号。"})


class AccountChangeForm(AccountForm):
    code = forms.CharField(label="短信验证码", max_length=8, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class ResultUploadForm(forms.Form):
    file = forms.FileField(label="银行结果文件（CSV）", error_messages={"required": "请选择银行返回的结果文件。"})
