"""Department adapters over the HTTP/JSON exchange, and the registry of departments.

Issue 5 adds the other departments (vehicles, property, civil affairs, social insurance …): each is
a subclass of `HttpDepartmentAdapter` with its `code`, `name`, `materials_supplied` and an
`evaluate(record)` that turns one department record into (outcome, facts); then `register()`.
"""

from django.utils import timezone

from .base import DepartmentAdapter, DepartmentResult, Outcome, unknown
from .client import ExchangeClient, ExchangeUnavailable


class HttpDepartmentAdapter(DepartmentAdapter):
    batch_size = 100

    def __init__(self, client: ExchangeClient | None = None):
        self._client = client

    @property
    def client(self) -> ExchangeClient:
        # Built on first use so that settings overridden in tests (EXCHANGE_URL) are honoured.
        return self._client or ExchangeClient()

    def evaluate(self, record: dict) -> tuple[Outcome, dict]:
        """(outcome, facts) for one found record. Facts are what a decision may cite."""
        raise NotImplementedError

    def query(self, id_numbers) -> dict[str, DepartmentResult]:
        wanted = list(dict.fromkeys(n for n in id_numbers if n))
        results: dict[str, DepartmentResult] = {}
        client = self.client
        for start in range(0, len(wanted), self.batch_size):
            batch = wanted[start:start + self.batch_size]
            queried_at = timezone.now()
            try:
                reply = client.query(self.code, batch)
            except ExchangeUnavailable as exc:
                for number in batch:
                    results[number] = unknown(self.code, exc.reason, reply_hash=exc.reply_hash, queried_at=queried_at)
                continue
            for number in batch:
                row = reply.rows.get(number)
                if row is None or not row["found"]:
                    results[number] = unknown(self.code, "部门无此人记录", reply_hash=reply.reply_hash, queried_at=queried_at)
                    continue
                try:
                    outcome, facts = self.evaluate(row["record"])
                except (KeyError, TypeError, ValueError):
                    results[number] = unknown(self.code, "部门记录不完整", reply_hash=reply.reply_hash, queried_at=queried_at)
                    continue
                results[number] = DepartmentResult(
                    department=self.code, status=outcome, facts=facts,
                    reply_hash=reply.reply_hash, queried_at=queried_at,
                )
        return results


class HukouAdapter(HttpDepartmentAdapter):
    """公安户籍: identity and household registration.

    A record passes when the person is registered and alive (status "normal"); a cancelled or
    deceased registration fails. The name is returned as a fact and compared by the caller
    (`verify_identity`), so only ID numbers leave the portal.
    """

    code = "hukou"
    name = "公安户籍"
    materials_supplied = frozenset({"identity", "hukou_or_residence"})

    STATUS_LABELS = {"normal": "正常", "deceased": "已死亡注销", "cancelled": "已注销", "moved_out": "已迁出"}

    def evaluate(self, record):
        status = record["status"]
        name = record["name"]
        if not isinstance(name, str) or not isinstance(status, str):
            raise ValueError("bad record")
        facts = {
            "name": name,
            "hukou_district": str(record.get("hukou_district", "")),
            "hukou_address": str(record.get("hukou_address", "")),
            "status": status,
            "status_label": self.STATUS_LABELS.get(status, status),
        }
        return (Outcome.PASS if status == "normal" else Outcome.FAIL), facts


_REGISTRY: dict[str, type[DepartmentAdapter]] = {}


def register(adapter_cls):
    _REGISTRY[adapter_cls.code] = adapter_cls
    return adapter_cls


register(HukouAdapter)


def adapter_for(code: str) -> DepartmentAdapter:
    return _REGISTRY[code]()


def departments() -> dict[str, type[DepartmentAdapter]]:
    return dict(_REGISTRY)


def materials_supplied_online() -> frozenset:
    """Material kinds some registered department supplies, so applicants are not asked for them."""
    supplied = set()
    for cls in _REGISTRY.values():
        supplied |= set(cls.materials_supplied)
    return frozenset(supplied)
