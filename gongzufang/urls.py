from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from allocation.api_urls import router as allocation_api
from applications.api_urls import router as applications_api
from complaints.api_urls import router as complaints_api
from gongzufang import views
from gongzufang.api.urls import router as shared_api
from gongzufang.api.urls import v1_index
from housing.api_urls import router as housing_api
from rent.api_urls import router as rent_api
from subsidies.api_urls import router as subsidies_api
from tenancy.api_urls import router as tenancy_api

# The API under /api/v1/: the shared routes (gongzufang/api/urls.py) and each app's own router, with
# one index over them all. This file is wiring: it may name the apps, the shared layer does not.
API_ROUTERS = [shared_api, complaints_api, housing_api, applications_api, allocation_api, rent_api, subsidies_api,
               tenancy_api]

urlpatterns = [
    path("", views.home, name="home"),
    path("services/<slug:service>/", views.service_stub, name="service"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/statistics/", include("gongzufang.dashboard.urls")),  # 统计分析 (issue 17)
    path("admin/", admin.site.urls),
    path("api/", include("gongzufang.api.urls")),
    path("api/v1/", include("complaints.api_urls")),
    path("api/v1/", include("housing.api_urls")),
    path("api/v1/", include("applications.api_urls")),
    path("api/v1/", include("allocation.api_urls")),
    path("api/v1/", include("rent.api_urls")),
    path("api/v1/", include("subsidies.api_urls")),
    path("api/v1/", include("tenancy.api_urls")),
    path("api/v1/", include(v1_index(API_ROUTERS))),
    path("housing/", include("housing.urls")),
    path("feedback/", include("complaints.urls")),
    path("allocation/", include("allocation.urls")),  # 轮候与配租: /allocation/rounds/ is public
    path("subsidies/", include("subsidies.urls")),
    path("tenancy/", include("tenancy.urls")),  # 资格年审、退租
    path("", include("rent.urls")),  # /rent/… and the bank's /payments/notify/
    path("", include("notifications.urls")),  # the message centre: /messages/
    path("", include("applications.urls")),
    path("", include("gongzufang.urls_public")),
]

# Chinese pages for people, the API's JSON error shape under /api/ (gongzufang/error_pages.py).
handler400 = "gongzufang.error_pages.bad_request"
handler403 = "gongzufang.error_pages.permission_denied"
handler404 = "gongzufang.error_pages.page_not_found"
handler500 = "gongzufang.error_pages.server_error"
