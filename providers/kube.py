"""The one way to a Kubernetes API: the host cluster mtvweb runs against, and remote clusters.

    cluster_api(provider)                   an openshift provider's cluster, shared and kept
                                            (the engine, cleanup, log archives, the wizard)
    open_api(url, credentials)              a new client for a provider's URL and Secret
                                            (token, cacert, insecureSkipVerify); the host
                                            cluster when both URL and token are empty
    host_api_client()                       the host cluster, from settings.MTVWEB_KUBECONFIG
                                            (a kubeconfig path) or the in-cluster config
    api_client(url, token, cacert, insecure) a remote cluster

Each returns a `kubernetes.client.ApiClient`; use it with the typed APIs
(`client.CoreV1Api(api)`) or `client.CustomObjectsApi(api)`. Close the ones you open; the
ones cluster_api gives are shared. `server_message(exc)` is what the API server said about
a refused request (only ever a Kubernetes Status message). Connection failures are not retried by urllib3 (callers decide; a wrong
URL should be reported at once, not after three silent retries).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import warnings
from http import HTTPStatus

import urllib3
from django.conf import settings
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from providers.adapters.base import ProviderError

# The API groups (group, version) of the add-ons mtvweb reads and writes.
KUBEVIRT = ("kubevirt.io", "v1")
CDI = ("cdi.kubevirt.io", "v1beta1")
INSTANCETYPE = ("instancetype.kubevirt.io", "v1beta1")
MULTUS = ("k8s.cni.cncf.io", "v1")

# The most of an API server's message quoted in ours.
MESSAGE_LIMIT = 500
# Where a Pod's ServiceAccount token is mounted (kubernetes.config.incluster_config).
IN_CLUSTER_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"


class HostClusterNotConfigured(Exception):
    """Neither MTVWEB_KUBECONFIG nor an in-cluster ServiceAccount is available."""


def in_cluster() -> bool:
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and os.path.exists(IN_CLUSTER_TOKEN)


def host_configured() -> bool:
    """Is there a host cluster to talk to (a kubeconfig, or running in a Pod)?"""
    return bool(settings.MTVWEB_KUBECONFIG) or in_cluster()


def _tune(configuration: client.Configuration) -> client.Configuration:
    configuration.retries = 0
    return configuration


def host_configuration() -> client.Configuration:
    configuration = client.Configuration()
    if settings.MTVWEB_KUBECONFIG:
        config.load_kube_config(
            config_file=settings.MTVWEB_KUBECONFIG, client_configuration=configuration, persist_config=False
        )
    elif in_cluster():
        config.load_incluster_config(client_configuration=configuration)
    else:
        raise HostClusterNotConfigured(
            "No host cluster is configured: set MTVWEB_KUBECONFIG to a kubeconfig file, or run mtvweb in a Pod."
        )
    return _tune(configuration)


def host_api_client() -> client.ApiClient:
    return client.ApiClient(host_configuration())


def remote_configuration(
    url: str, token: str, cacert: str | None = None, insecure: bool = False
) -> client.Configuration:
    configuration = client.Configuration()
    configuration.host = url.rstrip("/")
    configuration.api_key = {"BearerToken": f"Bearer {token}"}
    configuration.verify_ssl = not insecure
    if cacert and not insecure:
        configuration.ca_cert_data = cacert
    if insecure:
        # The admin chose to skip certificate validation for this cluster (the provider form says
        # so); a warning on every request would only bury the logs.
        warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)
    return _tune(configuration)


def api_client(url: str, token: str, cacert: str | None = None, insecure: bool = False) -> client.ApiClient:
    return client.ApiClient(remote_configuration(url, token, cacert, insecure))


def is_insecure(credentials: dict) -> bool:
    return str(credentials.get("insecureSkipVerify", "")).lower() == "true"


def open_api(url: str, credentials: dict) -> client.ApiClient:
    """An ApiClient for a provider's cluster: the host cluster when the URL is empty."""
    if not url:
        try:
            return host_api_client()
        except HostClusterNotConfigured as exc:
            raise ProviderError(
                f"{exc} Or enter the URL and token of the cluster for this provider.", retryable=False
            ) from None
        except (ConfigException, OSError, ValueError) as exc:
            raise ProviderError(f"Cannot read the host cluster's configuration: {exc}. Fix MTVWEB_KUBECONFIG.") from None
    token = credentials.get("token", "")
    if not token:
        raise ProviderError(
            "Enter the service account bearer token for this cluster, or leave both URL and token empty to use "
            "the cluster mtvweb runs on.",
            retryable=False,
        )
    return api_client(url, token, credentials.get("cacert") or None, is_insecure(credentials))


_shared: dict[tuple, client.ApiClient] = {}
_shared_lock = threading.Lock()


def cluster_api(provider) -> client.ApiClient:
    """One ApiClient per cluster and credentials, shared by every VM the engine moves: reading a
    kubeconfig and opening new TLS connections at every step cost more CPU than the steps
    themselves. A changed provider or kubeconfig file gets a new one."""
    credentials = provider.credentials()
    kubeconfig = settings.MTVWEB_KUBECONFIG
    stamp = os.stat(kubeconfig).st_mtime_ns if kubeconfig and os.path.exists(kubeconfig) else 0
    digest = hashlib.sha256(json.dumps(credentials, sort_keys=True).encode()).hexdigest()
    key = (provider.pk, provider.url, digest, kubeconfig, stamp)
    with _shared_lock:
        api = _shared.get(key)
        if api is None:
            for old in [k for k in _shared if k[0] == provider.pk]:
                _shared.pop(old)  # left to the garbage collector: another thread may still use it
            api = _shared[key] = open_api(provider.url, credentials)
    return api


def status_phrase(code) -> str:
    """The standard reason phrase of an HTTP status (never the one the server sent: that is its text)."""
    try:
        return HTTPStatus(int(code)).phrase
    except (TypeError, ValueError):
        return str(code or "")


def server_message(exc: ApiException) -> str:
    """The `message` of the Status the API server sent, else the standard phrase of the HTTP status.
    Only a Kubernetes Status is quoted, and only its message: a URL may lead to some other server,
    whose page must not be repeated to whoever typed the URL."""
    try:
        body = json.loads(exc.body or "{}")
    except (ValueError, TypeError):
        body = None
    if isinstance(body, dict) and body.get("kind") == "Status" and isinstance(body.get("message"), str):
        return body["message"][:MESSAGE_LIMIT] or status_phrase(exc.status)
    return status_phrase(exc.status)
