"""Signatures of the bank's notifications (DESIGN §8): `X-Bank-Signature` is the lower-case hex
HMAC-SHA256 of the raw request body under BANK_NOTIFY_SECRET. Verify the bytes as received, never a
re-serialised copy of the parsed JSON."""

import hashlib
import hmac


def sign(secret: str, raw_body: bytes) -> str:
    """Lower-case hex HMAC-SHA256 of `raw_body` under `secret`."""
    if not secret:
        raise ValueError("签名密钥为空（BANK_NOTIFY_SECRET 未配置）")
    return hmac.new(secret.encode("utf-8"), bytes(raw_body), hashlib.sha256).hexdigest()


def verify(secret: str, raw_body: bytes, signature: str) -> bool:
    """True when `signature` is the signature of `raw_body`; compared in constant time. An empty
    secret or a missing/malformed signature is never valid."""
    if not secret or not isinstance(signature, str | bytes) or not signature:
        return False
    if isinstance(signature, bytes):
        try:
            signature = signature.decode("ascii")
        except UnicodeDecodeError:
            return False
    expected = sign(secret, raw_body)
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().lower().encode("ascii", "replace"))
