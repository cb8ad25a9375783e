"""Forms of the feedback pages. They parse the shape of input; the services decide (and check photos)."""

from django import forms

from applications import selectors as application_selectors
from gongzufang.formkit import PortalForm
from gongzufang.models import District
from gongzufang.uploads import IMAGE_TYPES
from housing import selectors as housing_selectors

from .models import COMMENT_MAX, TEXT_MAX, Category, Kind
from .services import MAX_PHOTOS, PHOTO_MAX_BYTES


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files in one input (phones pick them from the gallery together); checked by the service."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": ",".join(IMAGE_TYPES), "multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(f"最多上传 {MAX_PHOTOS} 张照片。")
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class EstateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.district.name} · {obj.name}"


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.number}（{obj.get_status_display()}）"


class FeedbackForm(PortalForm):
    token = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="反馈类型", choices=Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "请选择反馈类型。"})
    category = forms.ChoiceField(label="类别", choices=[("", "请选择")] + list(Category.choices),
                                 error_messages={"required": "请选择类别。"})
    text = forms.CharField(label="具体内容", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=f"请写明时间、地点和经过，不超过 {TEXT_MAX} 字。",
                           error_messages={"required": "请填写具体内容。",
                                           "max_length": f"具体内容不能超过 {TEXT_MAX} 字（现有 %(show_value)d 字）。"})
    estate = EstateChoiceField(label="相关小区", queryset=None, required=False, empty_label="（不涉及具体小区）")
    unit_number = forms.CharField(label="房号", max_length=20, required=False,
                                  help_text="报修或房屋问题请填写楼栋、单元和房号，如：4号楼2单元502、4栋2单元502室或 4-2-502。")
    application = ApplicationChoiceField(label="相关申请", queryset=None, required=False,
                                         empty_label="（不涉及申请）")
    district = forms.ModelChoiceField(label="承办区县", queryset=District.objects.order_by("sort_order", "code"),
                                      required=False, empty_label="请选择",
                                      help_text="选了小区或申请的，由其所在区县办理，可不选。")
    anonymous = forms.BooleanField(label="对区县工作人员匿名", required=False,
                                   help_text="仅限对工作人员的投诉。区县经办人看不到您的姓名和电话；市住建局督办时可见。")
    photos = MultiplePhotoField(label="照片", required=False,
                                help_text=f"最多 {MAX_PHOTOS} 张，JPG、PNG 或 WebP，每张不超过 {PHOTO_MAX_BYTES // 1024 // 1024} MB；"
                                          "上传后会去除拍摄位置等信息。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = housing_selectors.public_estate_choices()
        self.fields["application"].queryset = application_selectors.applications_sent_by(user)
        if not self.fields["application"].queryset.exists():
            del self.fields["application"]

    def clean(self):
        data = super().clean()
        number = (data.get("unit_number") or "").strip()
        data["unit"] = None
        if number:
            estate = data.get("estate")
            if estate is None:
                self.add_error("unit_number", "请先选择房屋所在的小区。")
                return data
            units = housing_selectors.units_at_address(estate, number)
            if not units:
                self.add_error("unit_number", f"“{estate.name}”没有房号为“{number}”的房屋，请核对楼栋、单元和房号"
                                              "（如：4号楼2单元502）。")
            elif len(units) > 1:
                named = "、".join(f"{u.building.name}{u.number}" for u in units[:6]) + ("等" if len(units) > 6 else "")
                self.add_error("unit_number", f"本小区有 {len(units)} 套房屋符合“{number}”：{named}，"
                                              f"请写明楼栋，如“{units[0].building.name}{units[0].number}”。")
            else:
                data["unit"] = units[0]
        return data


SCORE_CHOICES = [("5", "5 分 非常满意"), ("4", "4 分 满意"), ("3", "3 分 一般"), ("2", "2 分 不满意"),
                 ("1", "1 分 非常不满意")]


class RatingForm(PortalForm):
    # The score is checked by the service (1–5, an integer), so every caller gets the same message.
    score = forms.CharField(label="评分", widget=forms.RadioSelect(choices=SCORE_CHOICES),
                            error_messages={"required": "请选择评分。"})
    comment = forms.CharField(label="评价内容", required=False, max_length=COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"max_length": f"评价内容不能超过 {COMMENT_MAX} 字。"})
