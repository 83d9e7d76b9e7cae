"""Talking to a KubeVirt cluster with the kubernetes client, and saying clearly why it did not work.

The client comes from `providers.kube.open_api` (the host cluster for a provider with neither
URL nor token). Every API error a user can cause becomes a ProviderError whose message says
what to do; tokens never appear in messages.
"""

from __future__ import annotations

import ssl
from contextlib import contextmanager
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from providers.adapters.base import ProviderError
from providers.adapters.openshift.vm import power_state as vm_power_state
from providers.kube import KUBEVIRT, server_message, status_phrase

# Seconds: connecting, and reading one ordinary (non-watch) response.
TIMEOUT = (10, 30)
VMS = (*KUBEVIRT, "virtualmachines")
SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
TOKEN_HELP = (
    "Create a token for a service account with the cluster-admin role (guide §4.4.1.5), for example "
    "`oc create token <service-account> -n <namespace> --duration=8760h`, and save the provider again."
)


def describe(url: str) -> str:
    """How messages name the cluster."""
    if url:
        return f"the API server at {url}"
    return f"the host cluster ({settings.MTVWEB_KUBECONFIG or 'in-cluster service account'})"


def capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def connection_reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or exc
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return "the host name does not resolve"
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return "the connection was refused or the host is unreachable"
    if isinstance(reason, urllib3.exceptions.TimeoutError | TimeoutError):
        return "no answer (timed out)"
    if isinstance(reason, urllib3.exceptions.ProtocolError):
        return "the server closed the connection (is it an https:// URL of a Kubernetes API server?)"
    return str(reason) or reason.__class__.__name__


def certificate_problem(exc: BaseException) -> ssl.SSLError | None:
    """The TLS error behind a urllib3 failure (MaxRetryError → urllib3 SSLError → ssl.SSLError), if any."""
    cause = getattr(exc, "reason", None) or exc
    if isinstance(cause, urllib3.exceptions.SSLError) and cause.args and isinstance(cause.args[0], ssl.SSLError):
        return cause.args[0]
    return cause if isinstance(cause, ssl.SSLError) else None


# What api_errors explains.
CLIENT_ERRORS = (ApiException, urllib3.exceptions.HTTPError, ssl.SSLError)


@contextmanager
def api_errors(url: str, action: str):
    """Turn what the kubernetes client raises while doing `action` into an actionable ProviderError."""
    where = describe(url)
    try:
        yield
    except ApiException as exc:
        raise api_error(url, action, exc) from None
    except urllib3.exceptions.HTTPError as exc:
        problem = certificate_problem(exc)
        if isinstance(problem, ssl.SSLCertVerificationError):
            raise ProviderError(
                f"The certificate of {where} is not trusted ({problem.verify_message}). Paste the cluster's CA "
                "certificate (`ca.crt` of the kube-root-ca.crt ConfigMap in any namespace) into \"CA certificate\", "
                "or choose \"Skip certificate validation\".",
                retryable=False,
            ) from None
        if problem is not None:
            raise ProviderError(f"TLS with {where} failed: {problem}. Check the URL and the CA certificate.") from None
        raise ProviderError(
            f"Cannot reach {where}: {connection_reason(exc)}. Check the URL (e.g. https://api.cluster.example.com:6443) "
            "and that its port is open from mtvweb."
        ) from None
    except ssl.SSLError as exc:  # a CA certificate the TLS library cannot load
        raise ProviderError(f"The CA certificate for {where} cannot be used: {exc}. Paste it in PEM format.",
                            retryable=False) from None


def api_error(url: str, action: str, exc: ApiException) -> ProviderError:
    where = describe(url)
    message = server_message(exc)
    if exc.status == 401:
        return ProviderError(
            f"{capitalized(where)} refused the token (401 Unauthorized): it is wrong or has expired. "
            + TOKEN_HELP,
            retryable=False,
        )
    if exc.status == 403:
        return ProviderError(
            f"The token may not {action} on {where}: {message}. Grant that permission, or use a service account "
            "with the cluster-admin role (guide §4.4.1.5).",
            retryable=False,
        )
    return ProviderError(f"{capitalized(where)} answered {exc.status} {status_phrase(exc.status)} to {action}: {message}")


def check_version(api: client.ApiClient, url: str) -> str:
    """The server's Kubernetes version; refuses servers that are not a Kubernetes API."""
    parts = urlsplit(url)
    if parts.path.strip("/"):
        advice = f"Use the API server's URL without a path, for example {parts.scheme}://{parts.netloc}."
    else:
        advice = "Use the API server's URL, usually https://api.<cluster>.<domain>:6443 (not the web console's)."
    wrong_url = ProviderError(f"There is no Kubernetes API at {url or describe(url)}. {advice}", retryable=False)
    try:
        with api_errors(url, "read the server version"):
            try:
                return client.VersionApi(api).get_code(_request_timeout=TIMEOUT).git_version
            except ApiException as exc:
                # /version is readable by every user; refusing it means the URL has a wrong path
                # (403 for a non-admin, 404 otherwise). 401 is the token's fault and reported as such.
                if exc.status == 404 or (exc.status == 403 and parts.path.strip("/")):
                    raise wrong_url from None
                raise
    except (ValueError, TypeError, AttributeError):  # 200, but not a Kubernetes version document
        raise wrong_url from None


def whoami(api: client.ApiClient, url: str) -> str:
    """The user name the API server sees for these credentials (SelfSubjectReview)."""
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
    try:
        with api_errors(url, "find out who the token belongs to"):
            result = client.AuthenticationV1Api(api).create_self_subject_review(review, _request_timeout=TIMEOUT)
    except ProviderError:
        return ""
    return (result.status.user_info.username or "") if result.status and result.status.user_info else ""


def service_account_namespace(username: str) -> str:
    """`system:serviceaccount:<namespace>:<name>` → namespace; "" for other users."""
    if username.startswith(SERVICE_ACCOUNT_PREFIX):
        return username[len(SERVICE_ACCOUNT_PREFIX):].split(":", 1)[0]
    return ""


def check_kubevirt(api: client.ApiClient, url: str) -> None:
    """The cluster serves KubeVirt VirtualMachines and the token may list them somewhere."""
    objects = client.CustomObjectsApi(api)
    group, version, plural = VMS
    with api_errors(url, "list VirtualMachines at the cluster scope"):
        try:
            objects.list_cluster_custom_object(group, version, plural, limit=1, _request_timeout=TIMEOUT)
            return
        except ApiException as exc:
            if exc.status == 404:
                raise ProviderError(
                    f"{capitalized(describe(url))} has no KubeVirt API (kubevirt.io/v1 VirtualMachines). "
                    "Install OpenShift Virtualization on that cluster.",
                    retryable=False,
                ) from None
            # Not at the cluster scope: a namespace-limited service account still works in its namespace.
            namespace = service_account_namespace(whoami(api, url)) if exc.status == 403 else ""
            if not namespace:
                raise
    with api_errors(url, f"list VirtualMachines in namespace {namespace}"):
        objects.list_namespaced_custom_object(group, version, namespace, plural, limit=1, _request_timeout=TIMEOUT)


def check(api: client.ApiClient, url: str) -> None:
    """What test_connection proves: reachable, trusted, a Kubernetes API, token accepted, KubeVirt readable."""
    check_version(api, url)
    check_kubevirt(api, url)


# --- power (a KubeVirt source VM is stopped for a cold migration and its state restored after) ---


def _vm(api, url, namespace, name) -> dict:
    group, version, plural = VMS
    with api_errors(url, f"read VirtualMachine {namespace}/{name}"):
        return client.CustomObjectsApi(api).get_namespaced_custom_object(
            group, version, namespace, plural, name, _request_timeout=TIMEOUT
        )


def power_state(api, url: str, namespace: str, name: str) -> str:
    """"On" when the VM runs or is meant to run, else "Off" (Forklift's words for KubeVirt VMs)."""
    return vm_power_state(_vm(api, url, namespace, name))


def _set_running(api, url: str, namespace: str, name: str, on: bool, run_strategy: str) -> None:
    spec = _vm(api, url, namespace, name).get("spec", {})
    # KubeVirt refuses `running` and `runStrategy` together: change whichever the VM uses.
    patch = {"spec": {"running": on}} if "running" in spec else {"spec": {"runStrategy": run_strategy}}
    group, version, plural = VMS
    with api_errors(url, f"{'start' if on else 'stop'} VirtualMachine {namespace}/{name}"):
        client.CustomObjectsApi(api).patch_namespaced_custom_object(
            group, version, namespace, plural, name, patch, _request_timeout=TIMEOUT
        )


def power_off(api, url: str, namespace: str, name: str) -> None:
    _set_running(api, url, namespace, name, False, "Halted")


def power_on(api, url: str, namespace: str, name: str, run_strategy: str = "Always") -> None:
    _set_running(api, url, namespace, name, True, run_strategy)
