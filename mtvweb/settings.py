"""Django settings.

Two shapes, chosen by the environment:

* **Embedded default** (no `DATABASE_URL`, no `REDIS_URL`): SQLite in the data directory,
  django-q2's ORM broker, and an SQLite-backed channel layer (channels-lite) that works
  across the web and worker processes. This is what `scripts/demo` runs.
* **Production**: `DATABASE_URL` (Postgres through psycopg 3), `REDIS_URL` (channels-redis
  layer and django-q2 broker), `SECRET_KEY` and `ALLOWED_HOSTS`.
"""

import ipaddress
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("MTVWEB_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
EMBEDDED = not DATABASE_URL

DEBUG = os.environ.get("MTVWEB_DEBUG", "") == "1"


def _secret_key() -> str:
    if key := os.environ.get("SECRET_KEY"):
        return key
    if not EMBEDDED:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is (production settings).")
    # The embedded default keeps a generated key next to its database.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()


def _encryption_keys() -> list[str]:
    """Fernet keys for credentials at rest, newest first (providers/secrets.py explains rotation)."""
    if keys := os.environ.get("MTVWEB_ENCRYPTION_KEYS"):
        return [k.strip() for k in keys.split(",") if k.strip()]
    if not EMBEDDED:
        raise ImproperlyConfigured(
            "MTVWEB_ENCRYPTION_KEYS must be set when DATABASE_URL is (production settings); "
            "make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
        )
    path = DATA_DIR / "encryption_key"
    if not path.exists():
        from cryptography.fernet import Fernet

        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return [path.read_text().strip()]


MTVWEB_ENCRYPTION_KEYS = _encryption_keys()

# The cluster mtvweb runs against (the "host" provider): a kubeconfig path, or in-cluster config.
MTVWEB_KUBECONFIG = os.environ.get("MTVWEB_KUBECONFIG", "")
# Validation: the OPA server that evaluates policies (production; Forklift's validation service
# role). Empty: rules are evaluated in process with regopy. The opa binary checks custom rules.
MTVWEB_OPA_URL = os.environ.get("MTVWEB_OPA_URL", "")
# The bearer token the OPA server asks for (it runs with --authentication=token; see
# providers/validation/opa.py).
MTVWEB_OPA_TOKEN = os.environ.get("MTVWEB_OPA_TOKEN", "")
if MTVWEB_OPA_URL and not MTVWEB_OPA_TOKEN:
    raise ImproperlyConfigured("MTVWEB_OPA_TOKEN must be set with MTVWEB_OPA_URL: the OPA server takes requests "
                               "only with its token (python -m providers.validation.opa starts one that way).")
MTVWEB_OPA_BINARY = os.environ.get(
    "MTVWEB_OPA_BINARY", str(Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "mtvweb" / "bin" / "opa")
)
# The namespace mtvweb runs its own Pods in (scanners, and anything not tied to a plan).
MTVWEB_NAMESPACE = os.environ.get("MTVWEB_NAMESPACE", "openshift-mtv")
# Editors of a project P may have a plan migrate into a new namespace named P-<anything>: they
# become its editors (as OpenShift makes whoever requests a project its admin) and it is created
# in the cluster. Off (the default): only cluster admins create namespaces (plans.tenancy).
MTVWEB_EDITORS_CREATE_NAMESPACES = os.environ.get("MTVWEB_EDITORS_CREATE_NAMESPACES", "") == "1"
# The image transfer, conversion and scanner Pods run.
MTVWEB_IMAGE = os.environ.get("MTVWEB_IMAGE", "quay.io/mtvweb/mtvweb:latest")


def _networks(name: str, default: str) -> list[str]:
    """A comma-separated list of networks (10.0.0.0/8, fd00::/8), checked here: a typo must not
    silently open or close a hole."""
    cidrs = [c.strip() for c in os.environ.get(name, default).split(",") if c.strip()]
    for cidr in cidrs:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {cidr!r} is not a network such as 10.0.0.0/8 or fd00::/8.") from None
    return cidrs


# Where namespace admins may not point providers (providers/addresses.py): the cluster's own pod and
# service networks (OpenShift's defaults), and the networks a cluster admin allows after all.
MTVWEB_CLUSTER_NETWORKS = _networks("MTVWEB_CLUSTER_NETWORKS", "10.128.0.0/14,172.30.0.0/16")
MTVWEB_ALLOWED_PROVIDER_NETWORKS = _networks("MTVWEB_ALLOWED_PROVIDER_NETWORKS", "")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# HTTPS (production): the console is served over TLS, ended by mtvweb's route or a proxy in front that
# says so in X-Forwarded-Proto (MTVWEB_PROXY_SSL_HEADER names another header, or is empty when TLS
# ends at daphne itself). HSTS, a redirect to https and Secure cookies. MTVWEB_HTTPS=0 turns it off
# for plain http on loopback (the embedded default, the lab, the test suite).
MTVWEB_HTTPS = os.environ.get("MTVWEB_HTTPS", "0" if EMBEDDED else "1") == "1"
if MTVWEB_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    if proxy_header := os.environ.get("MTVWEB_PROXY_SSL_HEADER", "X-Forwarded-Proto"):
        SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_header.upper().replace("-", "_"), "https")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "django_q",
    "django_tables2",
    "django_filters",
    "rest_framework",
    "mtvweb",
    "providers",
    "mappings",
    "plans",
]
if not REDIS_URL:
    INSTALLED_APPS.append("channels_lite")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mtvweb.security.ContentSecurityPolicyMiddleware",
    "mtvweb.errors.ExplainedErrorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mtvweb.namespaces.NamespaceMiddleware",
]

ROOT_URLCONF = "mtvweb.urls"
ASGI_APPLICATION = "mtvweb.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "mtvweb.namespaces.namespace_context",
            ],
        },
    },
]

if EMBEDDED:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("MTVWEB_SQLITE_PATH", DATA_DIR / "mtvweb.sqlite3"),
            # A file (not memory) so worker and server processes share the test database too.
            "TEST": {"NAME": DATA_DIR / "test-mtvweb.sqlite3"},
            "OPTIONS": {
                "timeout": 30,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
else:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if REDIS_URL:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}}}
    Q_BROKER = {"redis": REDIS_URL}
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_lite.layers.core.SQLiteChannelLayer",
            "CONFIG": {"database": "default", "expiry": 60, "polling_interval": 0.1},
        }
    }
    Q_BROKER = {"orm": "default"}

Q_CLUSTER = {
    "name": "mtvweb",
    "workers": int(os.environ.get("MTVWEB_WORKERS", "2")),
    "timeout": 6 * 3600,
    "retry": 6 * 3600 + 60,
    "max_attempts": 1,
    "catch_up": False,
    "poll": 0.2,
    **Q_BROKER,
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins per user name and per address, and unknown API tokens per address, in any minute
# before further attempts are answered 429 (mtvweb/throttle.py).
MTVWEB_AUTH_FAILURES_PER_MINUTE = int(os.environ.get("MTVWEB_AUTH_FAILURES_PER_MINUTE", "10"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Serve straight from STATICFILES_DIRS: no collectstatic step for the demo or the tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mtvweb.api.auth.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
}

DJANGO_TABLES2_TEMPLATE = "tables/table.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MTVWEB_LOG_LEVEL", "INFO")},
    "loggers": {"django_q": {"level": "WARNING"}, "daphne": {"level": "WARNING"}},
}
# The most bytes per second one transfer Pod reads from its source (0: no limit), to spare a
# busy source's network or storage.
MTVWEB_TRANSFER_MAX_RATE = int(os.environ.get("MTVWEB_TRANSFER_MAX_RATE", "0"))
# A transfer Pod's container may fail and resume this many times before its disk fails, and each
# run retries a lost source connection for about this many seconds before it gives up.
MTVWEB_TRANSFER_RESTARTS = int(os.environ.get("MTVWEB_TRANSFER_RESTARTS", "3"))
MTVWEB_TRANSFER_RETRY_WAIT = float(os.environ.get("MTVWEB_TRANSFER_RETRY_WAIT", "10"))
# An engine renews the leases of the VMs it works on; a VM whose lease is older than this many
# seconds (its engine died) is taken over by another engine.
MTVWEB_ENGINE_LEASE = float(os.environ.get("MTVWEB_ENGINE_LEASE", "60"))
