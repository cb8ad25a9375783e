from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from gongzufang import views

urlpatterns = [
    path("", views.home, name="home"),
    path("services/<slug:service>/", views.service_stub, name="service"),
    path("accounts/login/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("gongzufang.api.urls")),
    path("housing/", include("housing.urls")),
    path("feedback/", include("complaints.urls")),
    path("", include("applications.urls")),
    path("", include("gongzufang.urls_public")),
]

# Chinese pages for people, the API's JSON error shape under /api/ (gongzufang/error_pages.py).
handler400 = "gongzufang.error_pages.bad_request"
handler403 = "gongzufang.error_pages.permission_denied"
handler404 = "gongzufang.error_pages.page_not_found"
handler500 = "gongzufang.error_pages.server_error"
