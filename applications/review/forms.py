"""Forms of the caseworkers' admin pages: the itemised correction list and on-site registration."""

from django import forms

from applications.models import Section
from applications.selectors import required_material_kinds, wizard_sections
from gongzufang.formkit import PortalForm
from gongzufang.parameters import MATERIAL_KINDS


class CorrectionForm(PortalForm):
    """One row per part of the application: tick it and say what to fix."""

    note = forms.CharField(label="补充说明（可不填）", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        sections = [(s, label) for s, label in Section.choices
                    if s != Section.MATERIALS and s in dict(wizard_sections(application))]
        sections += [(f"material.{k}", f"材料：{MATERIAL_KINDS[k]}") for k in required_material_kinds(application)]
        for code, label in sections:
            key = code.replace(".", "__")
            self.fields[f"pick_{key}"] = forms.BooleanField(label=str(label), required=False)
            self.fields[f"text_{key}"] = forms.CharField(label=f"{label}：补正要求", required=False, max_length=300)
            self.rows.append((code, self[f"pick_{key}"], self[f"text_{key}"]))

    def clean(self):
        cleaned = super().clean()
        items = []
        for code, pick, text in self.rows:
            note = (cleaned.get(text.name) or "").strip()
            if cleaned.get(pick.name):
                if not note:
                    self.add_error(text.name, "请写明该项需要补正的具体要求。")
                items.append((code, note))
            elif note:
                self.add_error(pick.name, "写了要求的项目请勾选。")
        if not items and not self.errors:
            raise forms.ValidationError("请至少勾选一项需要补正的内容。")
        cleaned["items"] = items
        return cleaned


class OpinionForm(PortalForm):
    opinion = forms.CharField(label="受理意见", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReviewOpinionForm(PortalForm):
    opinion = forms.CharField(label="审核意见（不通过、复核时必填）", required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ManualCheckForm(PortalForm):
    """人工核验 of one `unknown` department result: the document looked at, the finding, why."""

    status = forms.ChoiceField(label="核验结论", choices=[("pass", "通过（证明材料显示符合）"), ("fail", "不通过")],
                               widget=forms.RadioSelect)
    document = forms.CharField(label="查看的证明材料", max_length=200,
                               help_text="名称、出具单位和日期，如：国家税务总局大庆市税务局 2025 年度个人所得税纳税记录")
    reason = forms.CharField(label="核验理由和经过", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    record = forms.CharField(label="材料上的记录（每行 字段=值，可不填）", required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="按部门记录的字段填写，规则据此判断，如 税务：year=2025、annual_income=36000")

    def clean_record(self):
        import json

        record = {}
        for line in (self.cleaned_data.get("record") or "").splitlines():
            if not line.strip():
                continue
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise forms.ValidationError(f"“{line.strip()}”不是 字段=值 的格式。")
            value = value.strip()
            try:
                record[key.strip()] = json.loads(value)
            except ValueError:
                record[key.strip()] = value
        return record
