"""The Excel export dialog of the caseworker screens (django-import-export), in Chinese.

import-export labels each column's checkbox with its attribute name title-cased ("Reply Due (答复期限)")
and ships no Chinese for "Resource" or "Select all". Admins with an export set
`export_form_class = ExportForm`; the template is templates/admin/import_export/export.html.
"""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from import_export.forms import SelectableFieldsExportForm


class ExportForm(SelectableFieldsExportForm):
    """Each column is labelled with its Chinese heading (the resource's column_name), or else the
    model field's verbose name."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["resource"].label = _("导出内容")
        self.fields["format"].label = _("文件格式")

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        heading = getattr(field, "column_name", None) or field_name
        if heading != field_name:
            return heading
        model = getattr(resource._meta, "model", None)
        try:
            return str(model._meta.get_field(field_name).verbose_name) if model else heading
        except FieldDoesNotExist:
            return heading
