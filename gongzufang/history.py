"""What django-simple-history keeps as the reason of a change.

Its `history_change_reason` column is varchar(100); PostgreSQL refuses a longer value (a 500 on an
opinion of 101–500 characters), SQLite would silently keep it. The full text always stays in the
status-change row written beside it; the history gets a shortened copy that still ends with the
trailing note in brackets, which names who made the change (e.g. "（接口：萨尔图区住建局系统）").
"""

HISTORY_REASON_MAX = 100  # simple-history's own column length
_ELLIPSIS = "…"


def change_reason(text, limit=HISTORY_REASON_MAX) -> str | None:
    """`text` cut to `limit` characters, keeping a short trailing （…） note; None when empty."""
    text = str(text or "").strip()
    if len(text) <= limit:
        return text or None
    tail = ""
    start = text.rfind("（")
    if text.endswith("）") and start > 0 and len(text) - start <= limit // 2:
        tail = text[start:]
    return text[: limit - len(tail) - len(_ELLIPSIS)].rstrip() + _ELLIPSIS + tail
