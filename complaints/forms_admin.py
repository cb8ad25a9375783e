"""Forms of the caseworkers' admin: reply, hotline reference, recording a hotline or window item,
and the period of the statistics page."""

from datetime import date

from django import forms
from django.utils import timezone

from gongzufang.formkit import DateInput
from gongzufang.models import District

from .models import TEXT_MAX, Category, Channel, Kind


class ReplyForm(forms.Form):
    reply = forms.CharField(label="答复内容", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
                            error_messages={"required": "请填写答复内容。"})


class HotlineReferenceForm(forms.Form):
    hotline_reference = forms.CharField(label="12345 工单号", max_length=40, required=False)


class RecordForm(forms.Form):
    channel = forms.ChoiceField(label="来源渠道", choices=[c for c in Channel.choices if c[0] != Channel.ONLINE])
    hotline_reference = forms.CharField(label="12345 工单号", max_length=40, required=False,
                                        help_text="热线转来的事项必填。")
    kind = forms.ChoiceField(label="类型", choices=Kind.choices)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    text = forms.CharField(label="内容", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5, "cols": 60}))
    district = forms.ModelChoiceField(label="承办区县", queryset=District.objects.none())
    contact_name = forms.CharField(label="联系人", max_length=40)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False,
                                    help_text="填写手机号的，答复时会发送短信。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        districts = District.objects.for_user(user).order_by("sort_order", "code")
        self.fields["district"].queryset = districts
        if districts.count() == 1:
            self.fields["district"].initial = districts.first()


class PeriodForm(forms.Form):
    start = forms.DateField(label="起始日期", widget=DateInput())
    end = forms.DateField(label="截止日期", widget=DateInput())

    @staticmethod
    def default_initial():
        today = timezone.localdate()
        return {"start": date(today.year, 1, 1), "end": today}

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("起始日期不能晚于截止日期。")
        return data
