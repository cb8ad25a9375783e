"""seed_demo gives the demo stock pictures (issue 12, item 16): every estate a photo, every unit a room
photo and a floor plan, drawn with Pillow; a second run adds nothing, and fills what is missing."""

import pytest
from django.urls import reverse
from PIL import Image

from housing import demo
from housing.models import EstatePhoto, Unit, UnitPhoto

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    demo.seed()


def test_every_demo_unit_has_a_photo_and_a_floor_plan(seeded):
    assert Unit.objects.exists()
    assert not Unit.objects.filter(photos__isnull=True).exists()
    assert not Unit.objects.filter(floor_plan="").exists()
    assert EstatePhoto.objects.count() == len(demo.ESTATES)


def test_the_unit_page_shows_them_and_they_are_images(client, seeded):
    unit = Unit.objects.filter(listing=Unit.Listing.PUBLISHED, bedrooms=2).first()
    html = client.get(reverse("housing:unit_detail", args=[unit.pk])).content.decode()
    photo = unit.photos.get()
    assert reverse("housing:unit_photo", args=[photo.pk]) in html
    assert reverse("housing:floor_plan", args=[unit.pk]) in html and "户型图" in html
    for url in (reverse("housing:unit_photo", args=[photo.pk]), reverse("housing:floor_plan", args=[unit.pk])):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        image = Image.open(__import__("io").BytesIO(b"".join(response.streaming_content)))
        assert image.size[0] >= 600


def test_a_second_run_adds_nothing_and_fills_gaps(seeded):
    counts = (UnitPhoto.objects.count(), EstatePhoto.objects.count())
    demo.seed()
    assert (UnitPhoto.objects.count(), EstatePhoto.objects.count()) == counts

    unit = Unit.objects.first()
    unit.photos.all().delete()
    Unit.objects.filter(pk=unit.pk).update(floor_plan="")
    demo.seed()
    unit.refresh_from_db()
    assert unit.photos.count() == 1 and unit.floor_plan
    assert UnitPhoto.objects.count() == counts[0]
