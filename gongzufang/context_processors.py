from django.conf import settings


def portal(request):
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "PORTAL_BUREAU_NAME": settings.PORTAL_BUREAU_NAME,
        "PORTAL_CITY_NAME": settings.PORTAL_CITY_NAME,
    }
