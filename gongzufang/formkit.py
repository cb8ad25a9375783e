"""Form helpers for accessible pages: errors are tied to their fields (aria-describedby), every
refusal from a service (`PortalError.fields`) lands next to the field it is about, and the page
shows a summary at the top (templates/includes/error_summary.html). Every app's pages use it."""

from django import forms

from gongzufang.errors import PortalError


class AccessibleFormMixin:
    def add_error(self, field, error):
        super().add_error(field, error)
        names = [field] if field else []
        if field is None and isinstance(error, dict):
            names = list(error)
        for name in names:
            if name in self.fields:
                bound = self[name]
                ids = [f"{bound.auto_id}_error"]
                if self.fields[name].help_text:
                    ids.append(f"{bound.auto_id}_helptext")
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)
                self.fields[name].widget.attrs["aria-invalid"] = "true"

    def add_portal_error(self, exc: PortalError):
        """Put a service's refusal next to the field it names, or at the top of the form."""
        placed = False
        for name in exc.fields or {}:
            if name in self.fields:
                self.add_error(name, exc.message)
                placed = True
                break
        if not placed:
            self.add_error(None, exc.message)


class PortalForm(AccessibleFormMixin, forms.Form):
    pass


class PortalModelForm(AccessibleFormMixin, forms.ModelForm):
    pass


class DateInput(forms.DateInput):
    """The browser's date picker (`<input type=date>`). It reads only ISO dates (2026-12-01): a value in
    the Chinese display format (2026/12/01, what `LANGUAGE_CODE` zh-hans renders) shows an empty field
    and the form comes back "该字段是必填项", so the value is always rendered in ISO."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
