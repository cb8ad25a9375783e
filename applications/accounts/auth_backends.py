"""Log-in with a phone number and an SMS code, through `django.contrib.auth.authenticate` so that
django-axes counts failures and locks out as for passwords:

    user = authenticate(request, username=phone, sms_code=code)

On failure the reason (wrong, expired, voided) is left on `request.sms_login_error` for the page.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from applications.models import SmsPurpose
from gongzufang.errors import PortalError


class SmsCodeBackend(ModelBackend):
    def authenticate(self, request, username=None, sms_code=None, **kwargs):
        if username is None or sms_code is None:
            return None
        from applications.accounts.services import sms_code_check

        user = get_user_model().objects.filter(phone=username, is_active=True).first()
        if user is None:
            if request is not None:
                request.sms_login_error = "该手机号尚未注册。"
            return None
        try:
            sms_code_check(phone=username, purpose=SmsPurpose.LOGIN, code=sms_code)
        except PortalError as exc:
            if request is not None:
                request.sms_login_error = exc.message
            return None
        return user if self.user_can_authenticate(user) else None
