from django.urls import path

from applications.accounts import views as views_accounts
from applications.apply import views as views_apply
from applications.review import views as views_notice

app_name = "applications"

urlpatterns = [
    path("accounts/register/", views_accounts.register, name="register"),
    path("accounts/register/confirm/", views_accounts.register_confirm, name="register_confirm"),
    path("accounts/login/sms/", views_accounts.login_sms, name="login_sms"),
    path("accounts/login/sms/confirm/", views_accounts.login_sms_confirm, name="login_sms_confirm"),
    path("accounts/password/reset/", views_accounts.password_reset, name="password_reset"),
    path("accounts/password/reset/confirm/", views_accounts.password_reset_confirm, name="password_reset_confirm"),
    path("accounts/verify/", views_accounts.verify, name="verify"),
    path("apply/", views_apply.apply_home, name="apply_home"),
    path("apply/start/", views_apply.apply_start, name="apply_start"),
    path("apply/<int:pk>/", views_apply.progress, name="progress"),
    path("apply/<int:pk>/continue/", views_apply.resume, name="resume"),
    path("apply/<int:pk>/assistance/", views_apply.step_assistance, name="step_assistance"),
    path("apply/<int:pk>/members/", views_apply.members, name="members"),
    path("apply/<int:pk>/members/<int:member_pk>/", views_apply.members, name="member_edit"),
    path("apply/<int:pk>/members/<int:member_pk>/delete/", views_apply.member_delete, name="member_delete"),
    path("apply/<int:pk>/housing/", views_apply.step_housing, name="step_housing"),
    path("apply/<int:pk>/assets/", views_apply.step_assets, name="step_assets"),
    path("apply/<int:pk>/preferences/", views_apply.step_preferences, name="step_preferences"),
    path("apply/<int:pk>/place/", views_apply.step_place, name="step_place"),
    path("apply/<int:pk>/consent/", views_apply.step_consent, name="step_consent"),
    path("apply/<int:pk>/materials/", views_apply.materials, name="materials"),
    path("apply/<int:pk>/materials/<int:material_pk>/remove/", views_apply.material_remove, name="material_remove"),
    path("apply/<int:pk>/review/", views_apply.review, name="review"),
    path("apply/<int:pk>/submit/", views_apply.submit, name="submit"),
    path("apply/<int:pk>/withdraw/", views_apply.withdraw, name="withdraw"),
    path("apply/<int:pk>/recheck/", views_apply.recheck, name="recheck"),
    path("files/materials/<int:pk>/", views_apply.material_file, name="material_file"),
    # 公示 (public, no log-in) and the printable review form (caseworkers).
    path("notice/", views_notice.notice_list, name="notice_list"),
    path("notice/<str:number>/", views_notice.notice_detail, name="notice_detail"),
    path("apply/staff/<int:pk>/review-form.pdf", views_notice.review_form, name="staff_review_form"),
]
