from django.urls import path

from .billing import views as billing_views
from .leases import views as lease_views

app_name = "rent"

urlpatterns = [
    path("rent/leases/", lease_views.lease_list, name="leases"),
    path("rent/leases/<int:pk>/", lease_views.lease_detail, name="lease"),
    path("rent/leases/<int:pk>/contract.pdf", lease_views.lease_pdf, name="lease_pdf"),
    path("rent/leases/<int:pk>/renewals/<int:sequence>/contract.pdf", lease_views.renewal_pdf, name="renewal_pdf"),
    path("rent/leases/<int:pk>/sign/code/", lease_views.lease_sign_code, name="lease_sign_code"),
    path("rent/leases/<int:pk>/sign/", lease_views.lease_sign, name="lease_sign"),
    path("rent/contracts/verify/", lease_views.contract_verify, name="contract_check"),
    path("rent/contracts/verify/<str:code>/", lease_views.contract_verify, name="contract_verify"),
    path("rent/handover-photos/<int:pk>/", lease_views.handover_photo, name="handover_photo"),
    path("rent/bills/", billing_views.my_bills, name="bills"),
]

# The payment half (rent/payments/urls.py): 缴费, orders, receipts, and the bank's /payments/notify/.
from .payments import urls as payment_urls  # noqa: E402

urlpatterns += payment_urls.urlpatterns
