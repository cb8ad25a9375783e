"""Write a local .env with fresh development keys when none exists. Keys are never committed.

An existing .env keeps its values; a key added since it was written (BANK_NOTIFY_SECRET) is appended."""

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

root = Path(__file__).resolve().parent.parent
# The development signing pair of lease contracts (LEASE_SIGNING_CERT / LEASE_SIGNING_KEY), once, in a
# git-ignored folder like this file (rent/leases/devcert.py imports only `cryptography`).
sys.path.insert(0, str(root))
from rent.leases.devcert import write_dev_pair  # noqa: E402

if write_dev_pair(root / ".lease-signing" / "cert.pem", root / ".lease-signing" / "key.pem"):
    print(f"已生成本地开发用合同签章证书 {root / '.lease-signing'}")

path = root / ".env"
# Keys added after the first .env files were written: appended to an existing file when missing.
LATER_KEYS = {"BANK_NOTIFY_SECRET": lambda: secrets.token_hex(32)}

if path.exists():
    text = path.read_text(encoding="utf-8")
    present = {line.split("=", 1)[0].strip() for line in text.splitlines() if "=" in line}
    missing = [key for key in LATER_KEYS if key not in present]
    if missing:
        with path.open("a", encoding="utf-8") as fh:
            fh.write("" if text.endswith("\n") or not text else "\n")
            for key in missing:
                fh.write(f"{key}={LATER_KEYS[key]()}\n")
        print(f"已在 {path} 中补充开发密钥：{'、'.join(missing)}")
    sys.exit(0)
path.write_text(
    "# Local development settings written by scripts/make_dev_env.py. Never commit this file.\n"
    "DEBUG=true\n"
    f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
    f"PII_ENCRYPTION_KEY={Fernet.generate_key().decode()}\n"
    f"PII_HASH_KEY={secrets.token_urlsafe(32)}\n"
    + "".join(f"{key}={make()}\n" for key, make in LATER_KEYS.items()),
    encoding="utf-8",
)
path.chmod(0o600)
print(f"已生成本地开发密钥文件 {path}")
