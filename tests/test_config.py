"""Which settings shape the environment selects (README: embedded default vs production)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke
ROOT = Path(__file__).resolve().parents[1]
SETTINGS_VARIABLES = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "MTVWEB_ENCRYPTION_KEYS",
                      "MTVWEB_HTTPS", "MTVWEB_DEBUG", "MTVWEB_OPA_URL", "MTVWEB_OPA_TOKEN", "MTVWEB_PROXY_SSL_HEADER"}
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); print(json.dumps({"
    "'db': settings.DATABASES['default']['ENGINE'], 'layer': settings.CHANNEL_LAYERS['default']['BACKEND'],"
    "'broker': 'redis' if 'redis' in settings.Q_CLUSTER else 'orm', 'hosts': settings.ALLOWED_HOSTS}))"
)


def probe(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
        env={**base, "DJANGO_SETTINGS_MODULE": "mtvweb.settings", "MTVWEB_DATA_DIR": str(tmp_path), **env},
    )
    return result


def test_embedded_default_needs_no_services(tmp_path):
    result = probe(tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "db": "django.db.backends.sqlite3",
        "layer": "channels_lite.layers.core.SQLiteChannelLayer",
        "broker": "orm",
        "hosts": ["127.0.0.1", "localhost"],
    }
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_reads_the_environment(tmp_path):
    result = probe(
        tmp_path, DATABASE_URL="postgres://u@db.example:5432/mtv", REDIS_URL="redis://cache.example:6379/0",
        SECRET_KEY="s3cret", ALLOWED_HOSTS="mtv.example.com,mtv.internal",
        MTVWEB_ENCRYPTION_KEYS="dGhpcy1pcy1vbmx5LWEtdGVzdC1rZXktMzItYnl0ZXM=",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "db": "django.db.backends.postgresql",
        "layer": "channels_redis.core.RedisChannelLayer",
        "broker": "redis",
        "hosts": ["mtv.example.com", "mtv.internal"],
    }


@pytest.mark.parametrize("missing", ["SECRET_KEY", "MTVWEB_ENCRYPTION_KEYS"])
def test_production_without_its_keys_refuses_to_start(tmp_path, missing):
    env = {"DATABASE_URL": "postgres://u@db.example:5432/mtv", "SECRET_KEY": "s3cret",
           "MTVWEB_ENCRYPTION_KEYS": "dGhpcy1pcy1vbmx5LWEtdGVzdC1rZXktMzItYnl0ZXM="}
    del env[missing]
    result = probe(tmp_path, **env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


PRODUCTION = {"DATABASE_URL": "postgres://u@db.example:5432/mtv", "REDIS_URL": "redis://cache.example:6379/0",
              "SECRET_KEY": "a-long-random-secret-key-of-the-deployment-nobody-else-knows-8f2c41d0e9",
              "ALLOWED_HOSTS": "mtv.example.com", "MTVWEB_ENCRYPTION_KEYS": "dGhpcy1pcy1vbmx5LWEtdGVzdC1rZXktMzItYnl0ZXM="}


def check_deploy(tmp_path, **env):
    # The suite's own DJANGO_ALLOW_ASYNC_UNSAFE (tests/conftest.py) is no deployment's.
    base = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES | {"DJANGO_ALLOW_ASYNC_UNSAFE"}}
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, capture_output=True, text=True,
                          env={**base, "MTVWEB_DATA_DIR": str(tmp_path), **PRODUCTION, **env})


def test_production_passes_the_deployment_checks(tmp_path):
    """HSTS, the redirect to https and Secure cookies; the lab and the suite turn them off for plain http."""
    result = check_deploy(tmp_path)
    assert result.returncode == 0 and "no issues" in result.stdout, result.stdout + result.stderr
    plain = check_deploy(tmp_path, MTVWEB_HTTPS="0")
    assert {"security.W004", "security.W008", "security.W012", "security.W016"} <= set(
        re.findall(r"security\.W\d+", plain.stdout + plain.stderr))


def test_an_opa_server_without_its_token_refuses_to_start(tmp_path):
    result = probe(tmp_path, MTVWEB_OPA_URL="http://opa.example:8181")
    assert result.returncode != 0 and "MTVWEB_OPA_TOKEN must be set" in result.stderr
