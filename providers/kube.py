"""Kubernetes API clients: the host cluster mtvweb runs against, and remote clusters.

    host_api_client()                       the host cluster, from settings.MTVWEB_KUBECONFIG
                                            (a kubeconfig path) or the in-cluster config
    api_client(url, token, cacert, insecure) a remote cluster, from an openshift provider's
                                            URL and Secret (token, cacert, insecureSkipVerify)

Both return a `kubernetes.client.ApiClient`; use it with the typed APIs
(`client.CoreV1Api(api)`) or `client.CustomObjectsApi(api)`, and close it when done.
Connection failures are not retried by urllib3 (callers decide; a wrong URL should be
reported at once, not after three silent retries).
"""

from __future__ import annotations

import os
import warnings

import urllib3
from django.conf import settings
from kubernetes import client, config

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
