"""What a message is about, seen from the message centre. An app registers each kind of object its
messages are about (in its `AppConfig.ready`), so this app needs to import none of them:

    subjects.register("applications.Application", url=lambda a: reverse("applications:progress", args=[a.pk]),
                      link_text="查看办理进度")
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SubjectKind:
    url: Callable  # (obj) -> str: the page the recipient opens to see the object
    link_text: str


_KINDS: dict[str, SubjectKind] = {}


def register(model_label: str, *, url: Callable, link_text: str) -> None:
    """`model_label` as "app_label.ModelName"."""
    _KINDS[model_label.lower()] = SubjectKind(url=url, link_text=str(link_text))


def kind_of(obj) -> SubjectKind | None:
    if obj is None:
        return None
    return _KINDS.get(obj._meta.label_lower)


def dedup_key(obj, *parts) -> str:
    """A stable key naming an object (and optional parts): "applications.applicationstatuschange:123"."""
    return ":".join([obj._meta.label_lower, str(obj.pk), *(str(p) for p in parts)])
