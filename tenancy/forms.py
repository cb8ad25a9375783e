from django import forms


class PortalForm(forms.Form):
    def add_portal_error(self, exc):
        fields = getattr(exc, "fields", None) or {}
        placed = False
        for name in fields:
            if name in self.fields:
                self.add_error(name, str(exc))
                placed = True
                break
        if not placed:
            self.add_error(None, str(exc))


class DeclarationForm(PortalForm):
    no_change = forms.TypedChoiceField(
        label="家庭情况", choices=[("1", "无变化：家庭成员、收入、住房、车辆均与上次审核时相同"),
                                  ("0", "有变化：如实申报发生变化的事项")],
        coerce=lambda v: v == "1", widget=forms.RadioSelect, initial="1")
    members = forms.CharField(label="家庭成员变化", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    income = forms.CharField(label="收入变化", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    housing = forms.CharField(label="住房变化", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    vehicles = forms.CharField(label="车辆变化", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    consent = forms.BooleanField(
        label="本人承诺所报情况真实，并同意住房保障部门向公安、不动产、民政、市场监管等部门核验本家庭成员信息",
        required=False)


class ExitApplyForm(PortalForm):
    reason = forms.CharField(label="退租原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "请填写退租原因。"})


class StatementForm(PortalForm):
    statement = forms.CharField(label="陈述申辩意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 5}),
                                error_messages={"required": "请填写陈述申辩意见。"})


class RefundAccountForm(PortalForm):
    account_name = forms.CharField(label="收款户名（须为承租人本人）", max_length=60,
                                   error_messages={"required": "请填写收款户名。"})
    account_no = forms.CharField(label="银行卡号（16 至 19 位数字）", max_length=30,
                                 widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                                 error_messages={"required": "请填写银行卡号。"})
