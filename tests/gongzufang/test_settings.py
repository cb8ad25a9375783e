"""Start-up refuses missing or malformed settings with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "ENV_FILE": "/dev/null",
    "SECRET_KEY": "x" * 20 + "-long-random-secret-key-for-the-deploy-check-0123456789",
    "PII_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    "PII_HASH_KEY": "hash-key-for-tests",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "gzf.daqing.gov.cn",
}


def run(args, **overrides):
    dropped = {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in GOOD and k not in dropped}
    env.update(GOOD)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("name", ["SECRET_KEY", "PII_ENCRYPTION_KEY", "PII_HASH_KEY"])
def test_start_up_refuses_a_missing_key(name):
    result = run(["check"], **{name: None})
    assert result.returncode != 0
    assert f"缺少环境变量 {name}" in result.stderr


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("DATABASE_URL", "nosuchdb://x"),
                                             ("AXES_FAILURE_LIMIT", "five")])
def test_start_up_refuses_a_malformed_value_naming_it(name, value):
    result = run(["check"], **{name: value})
    assert result.returncode != 0
    assert name in result.stderr


def test_the_deploy_check_is_clean_with_debug_off():
    result = run(["check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr and "issues" in result.stdout


def test_settings_follow_the_city(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ
