"""The choice pages' forms (a code and a confirmation; the unit is in the URL)."""

from django import forms

from gongzufang.formkit import PortalForm


class ChooseForm(PortalForm):
    sms_code = forms.CharField(label="短信验证码", max_length=10, required=True,
                               error_messages={"required": "请输入短信验证码。"},
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                                             "pattern": "[0-9]*"}))


class RefuseForm(PortalForm):
    reason = forms.CharField(label="放弃原因（选填）", max_length=200, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "如：楼层不合适"}))
    confirm = forms.BooleanField(label="我已知晓放弃的后果", required=True,
                                 error_messages={"required": "请勾选确认后再放弃。"})

    def __init__(self, *args, limit=2, months=12, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = (f"我已知晓：放弃后该房屋将由其他家庭选择，并计入一次拒绝配租；"
                                        f"累计拒绝 {limit} 次将暂停轮候 {months} 个月。")
