"""Moved to the shared layer: `gongzufang.formkit`. Kept only so work in progress that still imports
it keeps running; import `gongzufang.formkit` instead (this alias goes with the next clean-up)."""

from gongzufang.formkit import AccessibleFormMixin, PortalForm, PortalModelForm

__all__ = ["AccessibleFormMixin", "PortalForm", "PortalModelForm"]
