from django import forms
from django.utils import timezone

from gongzufang.formkit import DateInput


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.ImageField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class HandoverForm(forms.Form):
    handed_over_on = forms.DateField(label="交接日期", initial=timezone.localdate, widget=DateInput())
    keys = forms.IntegerField(label="钥匙（把）", min_value=0, max_value=50)
    access_cards = forms.IntegerField(label="门禁卡（张）", min_value=0, max_value=50, initial=0, required=False)
    water_meter = forms.DecimalField(label="水表读数（吨）", min_value=0, max_digits=10, decimal_places=2)
    electricity_meter = forms.DecimalField(label="电表读数（度）", min_value=0, max_digits=10, decimal_places=2)
    gas_meter = forms.DecimalField(label="燃气表读数（㎥）", min_value=0, max_digits=10, decimal_places=2, required=False)
    condition = forms.CharField(label="房屋及设施状况", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
                                help_text="墙面、门窗、厨卫、家具家电等逐项记录。")
    photos = MultiplePhotoField(label="交接照片", required=False, help_text="可多选，JPG/PNG。")


class TerminateForm(forms.Form):
    opinion = forms.CharField(label="解除原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
