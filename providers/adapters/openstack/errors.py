"""Turning keystoneauth / openstacksdk exceptions into messages that say what to do."""

from __future__ import annotations

import re
from contextlib import contextmanager
from urllib.parse import urlsplit

from keystoneauth1 import exceptions as ks
from openstack import exceptions as sdk

from providers.adapters.base import ProviderError
from providers.adapters.openstack.auth import refused_message

RC_HINT = "use OS_AUTH_URL from your OpenStack RC file, for example https://controller:5000/v3"


def host_port(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def certificate_reason(text: str) -> str:
    found = re.search(r"certificate verify failed: ([^(\"']+)", text)
    return found.group(1).strip().rstrip(",") if found else "the certificate could not be verified"


def tls_message(url: str, text: str, custom_ca: bool) -> str:
    where = host_port(url)
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text:
        return f"{where} does not speak TLS: if the endpoint is plain HTTP, start the URL with http://."
    reason = certificate_reason(text)
    if custom_ca:
        return (f"The certificate of {where} was not signed by the CA certificate you entered ({reason}). "
                "Paste the CA that signed Keystone's certificate (with any intermediate CA), or tick "
                "“Skip certificate validation”.")
    return (f"The certificate of {where} is not trusted ({reason}). Paste the CA certificate that signed it "
            "in “CA certificate”, or tick “Skip certificate validation”.")


def connect_message(url: str, exc: Exception) -> str:
    where, text = host_port(url), str(exc)
    if isinstance(exc, ks.ConnectTimeout):
        return (f"No answer from {where} (timed out). Check the host and port in the URL and that no firewall "
                "blocks mtvweb from reaching Keystone.")
    if "NameResolution" in text or "Name or service not known" in text or "resolve" in text:
        return f"The host name {urlsplit(url).hostname} does not resolve. Check the URL for typos."
    if "refused" in text:
        return (f"{where} refused the connection. Check the host and port in the URL ({RC_HINT}) and that "
                "Keystone is running.")
    if "RemoteDisconnected" in text or "aborted" in text:
        return (f"{where} closed the connection without answering: if it serves HTTPS, start the URL with "
                "https://.")
    return f"Cannot connect to {where}: {exc.__class__.__name__}. Check the URL and the network path to it."


def http_status(exc: Exception) -> int | None:
    return getattr(exc, "http_status", None) or getattr(exc, "status_code", None)


def server_detail(exc: Exception) -> str:
    """The service's own message from its JSON error document (Keystone/Nova error text: never carries a
    secret). Any other answer is not quoted: the URL may lead to some other server, whose page is not
    the user's to read."""
    response = getattr(exc, "response", None)
    if response is not None and "json" not in (response.headers.get("Content-Type") or "").lower():
        return ""
    detail = getattr(exc, "details", None) or getattr(exc, "message", "") or ""
    detail = str(detail).split(" (HTTP")[0].strip()
    return detail[:300]


@contextmanager
def translated(url: str, credentials: dict, what: str, project: str = ""):
    """Re-raise anything the client libraries throw while doing `what` as a ProviderError."""
    custom_ca = bool(credentials.get("cacert")) and credentials.get("insecureSkipVerify") != "true"
    try:
        yield
    except ProviderError:
        raise
    except ks.SSLError as exc:
        raise ProviderError(tls_message(url, str(exc), custom_ca)) from None
    except (ks.ConnectFailure, ks.ConnectTimeout) as exc:
        raise ProviderError(connect_message(url, exc)) from None
    except ks.EndpointNotFound as exc:
        raise ProviderError(f"The service catalog has no endpoint to {what}: {server_detail(exc)}. "
                            "Check the region name.") from None
    except sdk.ServiceDisabledException as exc:
        raise ProviderError(f"The service catalog has no endpoint to {what} ({server_detail(exc)}). "
                            "Check the region name.") from None
    except (ks.HttpError, sdk.HttpException) as exc:
        error = ProviderError(http_message(url, credentials, what, project, exc),
                              retryable=http_status(exc) not in (401, 403))
        error.http_status = http_status(exc)
        raise error from None
    except ks.ClientException as exc:
        raise ProviderError(f"OpenStack failed when trying to {what}: {exc.__class__.__name__}: "
                            f"{server_detail(exc)}") from None


def http_message(url: str, credentials: dict, what: str, project: str, exc: Exception) -> str:
    status, detail = http_status(exc), server_detail(exc)
    if status == 401:
        return refused_message(credentials, detail)
    if status == 403:
        scope = f" in project {project}" if project else ""
        return (f"The account signed in but is not allowed to {what}{scope} (HTTP 403). Give it the member or "
                "reader role on the project (guide §2.6).")
    if status == 404 and what.startswith("sign in"):
        return f"Nothing answers at {url} (HTTP 404): the path is wrong; {RC_HINT}."
    return f"OpenStack answered HTTP {status} when trying to {what}: {detail or exc.__class__.__name__}."
