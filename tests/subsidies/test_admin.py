"""The caseworkers' admin of batches: the buttons are the transitions the user may take now; 出盘
streams the bank file; the bank's result file is imported from the page; another district's batch is 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from subsidies.models import BatchStatus, PaymentStatus, SubsidyPayment

from .builders import quick_payment

pytestmark = pytest.mark.django_db


def test_district_approves_city_confirms_download_and_import_from_the_admin(client, dave, chen, bob):
    payment = quick_payment("230602")
    batch = payment.batch
    from subsidies import services

    services.batch_make(district=batch.district, period=batch.period)  # finishes the quick draft: frozen
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FROZEN
    change = reverse("admin:subsidies_subsidybatch_change", args=[batch.pk])

    client.force_login(bob)
    assert client.get(change).status_code == 404
    client.force_login(dave)
    page = client.get(change).content.decode()
    assert "区县审核通过" in page and "市级复核通过" not in page
    client.post(reverse("admin:subsidies_subsidybatch_act", args=[batch.pk, "district_approve"]), {"opinion": "无误"})
    client.force_login(chen)
    assert "市级复核通过" in client.get(change).content.decode()
    client.post(reverse("admin:subsidies_subsidybatch_act", args=[batch.pk, "city_confirm"]), {"opinion": "同意"})
    page = client.get(change).content.decode()
    assert "出盘：下载银行代发文件（CSV）" in page

    response = client.post(reverse("admin:subsidies_subsidybatch_file", args=[batch.pk]), {"format": "csv"})
    assert response.streaming
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert content.splitlines()[0] == "批次号,序号,户名,账号,金额,摘要"
    xlsx = client.post(reverse("admin:subsidies_subsidybatch_file", args=[batch.pk]), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FILE_ISSUED

    line = batch.lines.select_related("account").get()
    result = ("批次号,序号,账号,金额,结果,失败原因,银行流水号\n"
              f"{batch.number},{line.line_no},{line.account.account_no},{line.amount},失败,账户已销户,\n").encode()
    response = client.post(reverse("admin:subsidies_subsidybatch_results", args=[batch.pk]),
                           {"file": SimpleUploadedFile("result.csv", result, content_type="text/csv")}, follow=True)
    assert "成功 0 笔，失败 1 笔" in response.content.decode()
    payment.refresh_from_db()
    assert (payment.status, payment.bank_reason) == (PaymentStatus.FAILED, "账户已销户")
    response = client.post(reverse("admin:subsidies_subsidybatch_results", args=[batch.pk]),
                           {"file": SimpleUploadedFile("result.csv", result, content_type="text/csv")}, follow=True)
    assert "已导入过，未作改动" in response.content.decode()
    assert SubsidyPayment.objects.get(pk=payment.pk).status_changes.count() == 1
