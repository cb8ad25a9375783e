"""The portal's URLs plus the two floors the benchmark compares against. Used only by benchmarks/run.py."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path
from django.views.decorators.http import require_GET


@require_GET
def floor(request):
    return HttpResponse("ok")


@require_GET
def page_floor(request):
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/page-floor/", page_floor),
    path("", include("gongzufang.urls")),
]
