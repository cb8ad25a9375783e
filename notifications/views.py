"""The message centre (消息中心): one's own in-site messages. Thin: parse, call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from notifications import selectors, services


@login_required
@require_http_methods(["GET", "POST"])
def message_list(request):
    if request.method == "POST":
        services.messages_mark_read(user=request.user)
        messages.success(request, "已全部标为已读。")
        return redirect("notifications:messages")
    items = list(selectors.messages_for(request.user)[:200])
    return render(request, "notifications/messages.html", {"items": items})


@login_required
@require_GET
def message_detail(request, message_pk):
    item = get_object_or_404(selectors.messages_for(request.user), pk=message_pk)
    if item.read_at is None:
        services.messages_mark_read(user=request.user, message=item)
    return render(request, "notifications/message_detail.html", {"item": item, "link": selectors.message_link(item)})
