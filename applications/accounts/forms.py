"""Forms of the account pages; they parse input, the services in accounts.py decide."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError

from applications.accounts.services import normalise_phone
from gongzufang.errors import PortalError
from gongzufang.formkit import PortalForm
from gongzufang.idnumber import IdNumberField


class PhoneForm(PortalForm):
    phone = forms.CharField(
        label="手机号", max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": "请输入手机号。"},
    )

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except PortalError as exc:
            raise ValidationError(exc.message) from None


class CodeForm(PortalForm):
    code = forms.CharField(
        label="短信验证码", max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="6 位数字，5 分钟内有效。",
        error_messages={"required": "请输入短信验证码。"},
    )


class CodeAndPasswordForm(CodeForm):
    password1 = forms.CharField(
        label="设置密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 8 位，不能全是数字，不要与手机号相近。",
        error_messages={"required": "请设置密码。"},
    )
    password2 = forms.CharField(
        label="再次输入密码", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "请再次输入密码。"},
    )

    def __init__(self, *args, phone="", **kwargs):
        self.phone = phone
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", "两次输入的密码不一致。")
        elif one:
            probe = get_user_model()(username=self.phone, phone=self.phone)
            try:
                password_validation.validate_password(one, probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class IdentityForm(PortalForm):
    name = forms.CharField(label="姓名", max_length=40, error_messages={"required": "请输入姓名。"},
                           widget=forms.TextInput(attrs={"autocomplete": "name"}),
                           help_text="与身份证上的姓名一致。")
    id_number = IdNumberField(label="身份证号码", help_text="18 位，最后一位可能是字母 X。",
                              error_messages={"required": "请输入身份证号码。"})


class OnsiteRegistrationForm(IdentityForm, PhoneForm):
    field_order = ["name", "id_number", "phone"]
