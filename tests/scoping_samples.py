"""One sample row per district-bound model, made in a given district.

The admin scoping test walks every registered admin whose model is district-bound and needs a
sample here; a new district-bound model without one fails that test on purpose.
"""

from gongzufang.models import ApiClient, Community, District, Street
from gongzufang.services.api_clients import api_client_issue
from tests import factories

SAMPLES = {}


def sample(model):
    def register(fn):
        SAMPLES[model._meta.label_lower] = fn
        return fn

    return register


@sample(District)
def _district(district):
    return district


@sample(Street)
def _street(district):
    return Street.objects.filter(district=district).first()


@sample(Community)
def _community(district):
    return Community.objects.filter(street__district=district).first()


@sample(factories.UserFactory._meta.model)
def _user(district):
    return factories.DistrictCaseworkerFactory(district=district)


@sample(ApiClient)
def _api_client(district):
    return api_client_issue(name=f"{district.name}系统", district=district)[0]
