"""The caseworkers' admin: titled for the bureau, its index grouped by what caseworkers do."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Index sections in the order caseworkers use them. Models not listed fall into "其他".
ADMIN_SECTIONS = [
    (_("受理与审核"), ["applications."]),
    (_("房源与配租"), ["housing."]),
    (_("租金收缴"), ["rent."]),
    (_("补贴发放"), ["subsidies."]),
    (_("意见反馈"), ["complaints."]),
    (_("政策资讯与公开信息"), ["gongzufang.article", "gongzufang.articlecategory", "gongzufang.assistanceform",
                           "gongzufang.dailyvisit"]),
    (_("政策参数与工作日历"), ["gongzufang.policyparameter", "gongzufang.calendaryear", "gongzufang.calendarday"]),
    (_("区划、人员与接口"), ["gongzufang.", "auth.", "axes."]),
    (_("后台任务"), ["django_celery_beat."]),
]


def _section_of(app_label, model_name):
    key = f"{app_label}.{model_name}"
    for index, (_title, prefixes) in enumerate(ADMIN_SECTIONS):
        for prefix in prefixes:
            if key == prefix or (prefix.endswith(".") and key.startswith(prefix)):
                return index
    return len(ADMIN_SECTIONS)


class PortalAdminSite(admin.AdminSite):
    site_header = _("大庆市住房和城乡建设局 · 公租房业务管理")
    site_title = _("公租房业务管理")
    index_title = _("工作台")

    def each_context(self, request):
        # The header's unread-message count comes from notifications' context processor (settings).
        return super().each_context(request)

    def get_app_list(self, request, app_label=None):
        if app_label:
            return super().get_app_list(request, app_label)
        original = super().get_app_list(request)
        sections = [
            {"name": str(title), "app_label": f"section{i}", "app_url": "", "has_module_perms": True, "models": []}
            for i, (title, _p) in enumerate(ADMIN_SECTIONS)
        ]
        sections.append({"name": str(_("其他")), "app_label": "other", "app_url": "", "has_module_perms": True, "models": []})
        for app in original:
            for model in app["models"]:
                sections[_section_of(app["app_label"], model["object_name"].lower())]["models"].append(model)
        return [s for s in sections if s["models"]]
