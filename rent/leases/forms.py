from django import forms

from gongzufang.formkit import PortalForm

MAX_PDF_BYTES = 10 * 1024 * 1024


class SignForm(PortalForm):
    code = forms.CharField(
        label="短信验证码", max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="6 位数字，发送到您登记的手机号，5 分钟内有效。",
        error_messages={"required": "请输入短信验证码。"},
    )
    agree = forms.BooleanField(label="我已完整阅读合同全部条款，同意签署", required=True,
                               error_messages={"required": "请先勾选“我已完整阅读合同全部条款，同意签署”。"})
    sha256 = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class VerifyUploadForm(PortalForm):
    file = forms.FileField(label="合同 PDF 文件", help_text="选择您持有的合同 PDF 文件，系统计算其 SHA-256 并核验电子签章。",
                           error_messages={"required": "请选择要核验的合同 PDF 文件。"})

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_PDF_BYTES:
            raise forms.ValidationError("文件超过 10 MB，不是本平台出具的合同。")
        return f
