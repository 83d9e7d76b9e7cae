"""Which settings shape the environment selects (README: embedded default vs production)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.smoke
ROOT = Path(__file__).resolve().parents[1]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); print(json.dumps({"
    "'db': settings.DATABASES['default']['ENGINE'], 'layer': settings.CHANNEL_LAYERS['default']['BACKEND'],"
    "'broker': 'redis' if 'redis' in settings.Q_CLUSTER else 'orm', 'hosts': settings.ALLOWED_HOSTS}))"
)


def probe(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"}}
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
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "db": "django.db.backends.postgresql",
        "layer": "channels_redis.core.RedisChannelLayer",
        "broker": "redis",
        "hosts": ["mtv.example.com", "mtv.internal"],
    }


def test_production_without_secret_key_refuses_to_start(tmp_path):
    result = probe(tmp_path, DATABASE_URL="postgres://u@db.example:5432/mtv")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
