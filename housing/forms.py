"""Forms of the housing admin: photo uploads go through gongzufang.uploads, units are checked
against their building, transitions ask why."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gongzufang.uploads import MB, ImageUploadField

from .models import EstatePhoto, Unit, UnitPhoto

PHOTO_MAX_BYTES = 8 * MB
PHOTO_MAX_PIXELS = 40_000_000


def photo_field(**kwargs):
    return ImageUploadField(max_bytes=PHOTO_MAX_BYTES, max_pixels=PHOTO_MAX_PIXELS, label=_("照片"), **kwargs)


class EstatePhotoForm(forms.ModelForm):
    image = photo_field()

    class Meta:
        model = EstatePhoto
        fields = ["image", "caption", "sort_order"]


class UnitPhotoForm(forms.ModelForm):
    image = photo_field()

    class Meta:
        model = UnitPhoto
        fields = ["image", "caption", "sort_order"]


class UnitAdminForm(forms.ModelForm):
    floor_plan = photo_field(required=False)

    class Meta:
        model = Unit
        fields = [
            "building", "number", "floor", "area", "bedrooms", "layout", "orientation", "furnished",
            "description", "floor_plan", "rent_per_sqm",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "floor_plan" in self.fields:  # absent for users who may only view
            self.fields["floor_plan"].label = _("户型图")
        if "rent_per_sqm" in self.fields:
            self.fields["rent_per_sqm"].required = False

    def clean(self):
        cleaned = super().clean()
        building, floor = cleaned.get("building"), cleaned.get("floor")
        if building and floor and floor > building.floors:
            self.add_error("floor", _("楼层不能超过该楼栋的层数（%(floors)s 层）。") % {"floors": building.floors})
        return cleaned


class TransitionForm(forms.Form):
    """The intermediate page of a bulk status or listing action: why."""

    opinion = forms.CharField(
        label=_("原因/说明"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )

    def __init__(self, *args, opinion_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["opinion"].required = opinion_required
