"""Write a local .env with fresh development keys when none exists. Keys are never committed."""

import secrets
import sys
from pathlib import Path

from cryptography.fernet import Fernet

path = Path(__file__).resolve().parent.parent / ".env"
if path.exists():
    sys.exit(0)
path.write_text(
    "# Local development settings written by scripts/make_dev_env.py. Never commit this file.\n"
    "DEBUG=true\n"
    f"SECRET_KEY={secrets.token_urlsafe(50)}\n"
    f"PII_ENCRYPTION_KEY={Fernet.generate_key().decode()}\n"
    f"PII_HASH_KEY={secrets.token_urlsafe(32)}\n",
    encoding="utf-8",
)
path.chmod(0o600)
print(f"已生成本地开发密钥文件 {path}")
