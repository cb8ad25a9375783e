"""factory_boy factories shared by every suite."""

import factory
from django.contrib.auth.hashers import make_password

from gongzufang.models import District, Street, User
from gongzufang.models.users import Role
from gongzufang.roles import group_for

PASSWORD = "Test-pass-2026"
_HASHED = make_password(PASSWORD)


def district(code):
    return District.objects.get(code=code)


def first_street(code):
    return Street.objects.filter(district__code=code).order_by("code").first()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Faker("name", locale="zh_CN")
    password = _HASHED
    role = Role.APPLICANT

    @factory.post_generation
    def role_group(self, create, extracted, **kwargs):
        if create and self.role != Role.APPLICANT:
            self.groups.add(group_for(self.role))


class ClerkFactory(UserFactory):
    role = Role.STREET_CLERK
    is_staff = True
    street = factory.LazyFunction(lambda: first_street("230602"))
    district = factory.LazyAttribute(lambda o: o.street.district)


class DistrictCaseworkerFactory(UserFactory):
    role = Role.DISTRICT_CASEWORKER
    is_staff = True
    district = factory.LazyFunction(lambda: district("230602"))


class CityCaseworkerFactory(UserFactory):
    role = Role.CITY_CASEWORKER
    is_staff = True
