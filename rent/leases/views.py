"""The tenant's lease pages (read, sign with an SMS code) and the public contract verification."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzufang.client_ip import client_ip
from gongzufang.errors import PortalError

from . import contract, selectors, services
from .forms import SignForm, VerifyUploadForm


@login_required
@require_GET
def lease_list(request):
    services.leases_prepare_for_held_offers(user=request.user)  # an offer chosen a moment ago has its lease
    leases = list(selectors.leases_of(request.user))
    links = selectors.lease_links(leases)
    for lease in leases:
        lease.links = links[lease.pk]
    return render(request, "rent/leases/list.html", {"leases": leases})


@login_required
@require_GET
def lease_detail(request, pk):
    lease = selectors.my_lease_or_404(request.user, pk)
    return render(request, "rent/leases/detail.html", _detail_context(lease, SignForm(initial={
        "sha256": lease.contract_sha256})))


def _detail_context(lease, form):
    context = contract.contract_context(lease)
    context.update(form=form, history=list(selectors.lease_history(lease)), on_page=True,
                   rent_changes=list(lease.rent_changes.order_by("effective_from", "pk")),
                   rent_now=selectors.rent_now(lease), renewals=list(lease.renewals.order_by("sequence")),
                   deposit_refunds=list(lease.deposit_refunds.order_by("created_at", "pk")),
                   links=selectors.lease_links([lease])[lease.pk],
                   can_sign=lease.status == "issued" and lease.offer is not None and lease.offer.status == "held",
                   phone_masked=_mask_phone(lease.tenant.phone))
    return context


def _mask_phone(phone):
    return f"{phone[:3]}****{phone[-4:]}" if phone and len(phone) >= 7 else ""


@login_required
@require_GET
def lease_pdf(request, pk):
    lease = selectors.lease_for_file_or_404(request.user, pk)
    response = FileResponse(lease.contract_pdf.open("rb"), content_type="application/pdf",
                            filename=f"租赁合同-{lease.number}.pdf",
                            as_attachment=request.GET.get("download") == "1")
    return response


@login_required
@require_POST
def lease_sign_code(request, pk):
    lease = selectors.my_lease_or_404(request.user, pk)
    try:
        services.sign_code_send(lease=lease, user=request.user)
    except PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"验证码已发送至 {_mask_phone(request.user.phone)}，5 分钟内有效。")
    return redirect("rent:lease", lease.pk)


@login_required
@require_POST
def lease_sign(request, pk):
    lease = selectors.my_lease_or_404(request.user, pk)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.lease_sign(lease=lease, user=request.user, code=form.cleaned_data["code"],
                                ip_address=client_ip(request),
                                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                                signed_sha256=form.cleaned_data.get("sha256") or None)
        except PortalError as exc:
            form.add_portal_error(exc)
        else:
            messages.success(request, f"合同 {lease.number} 已签署。请按通知办理入住交接。")
            return redirect("rent:lease", lease.pk)
    return render(request, "rent/leases/detail.html", _detail_context(lease, form), status=400)


@login_required
@require_GET
def renewal_pdf(request, pk, sequence):
    lease = selectors.lease_for_file_or_404(request.user, pk)
    renewal = lease.renewals.filter(sequence=sequence).first()
    if renewal is None:
        from django.http import Http404

        raise Http404("未找到该续租合同。")
    return FileResponse(renewal.contract_pdf.open("rb"), content_type="application/pdf",
                        filename=f"续租合同-{lease.number}-{sequence}.pdf", as_attachment=request.GET.get("download") == "1")


# --- public verification (the QR code on the contract) ------------------------------------------------


@require_http_methods(["GET", "POST"])
def contract_verify(request, code=None):
    lease = selectors.lease_by_code(code) if code else None
    verdict = None
    form = VerifyUploadForm()
    if code and lease is None:
        return render(request, "rent/leases/verify.html", {"unknown_code": True, "form": form}, status=404)
    stored = None
    if lease is not None:
        stored = contract.verify_pdf(services.contract_bytes(lease), expected_sha256=lease.contract_sha256)
    if request.method == "POST":
        form = VerifyUploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            digest = contract.sha256_hex(data)
            matched = lease if lease is not None else selectors.lease_by_sha256(digest)
            verdict = contract.verify_pdf(data, expected_sha256=matched.contract_sha256 if matched else "")
            if lease is None:
                lease = matched
    return render(request, "rent/leases/verify.html", {
        "lease": lease, "stored": stored, "verdict": verdict, "form": form, "code": code,
        "tenant_masked": contract.masked_tenant(lease) if lease else "",
    })


@login_required
@require_GET
def handover_photo(request, pk):
    """A move-in photo, for a caseworker of the lease's district (or the city) or the tenant."""
    photo = selectors.handover_photo_or_404(request.user, pk)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")
