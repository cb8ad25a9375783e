"""Tenant pages (filled in below in the issue)."""

from django.http import Http404


def my_reviews(request):
    raise Http404("未找到。")


def review(request, pk):
    raise Http404("未找到。")


def exit_case(request, pk):
    raise Http404("未找到。")


def exit_apply(request, lease_pk):
    raise Http404("未找到。")
