"""Which addresses a namespace admin may point a provider (or the thumbprint fetch) at.

mtvweb connects to a provider's URL from inside the cluster, with its own network position: a
provider at 127.0.0.1, at a cloud's metadata address or at a Service of the cluster would let a
namespace admin reach what only mtvweb can. So for everybody but cluster admins, the host of the
URL is resolved and each of its addresses must lie outside

* loopback (127.0.0.0/8, ::1), "this host" (0.0.0.0/8, ::) and link-local (169.254.0.0/16,
  fe80::/10, where the metadata services of most clouds answer),
* the other known metadata addresses (Alibaba's 100.100.100.200, Azure's 168.63.129.16, AWS's
  fd00:ec2::254),
* the cluster's own pod and service networks (settings.MTVWEB_CLUSTER_NETWORKS),

unless it lies in a network a cluster admin allowed (settings.MTVWEB_ALLOWED_PROVIDER_NETWORKS;
the lab, whose sources all listen on loopback, allows 127.0.0.0/8 that way).
"""

from __future__ import annotations

import ipaddress
import socket

from django.conf import settings

from providers.adapters.base import Endpoint

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

REFUSED = [
    ("a loopback address", ["127.0.0.0/8", "::1/128"]),
    ("an address of no host (this host)", ["0.0.0.0/8", "::/128"]),
    ("a link-local address, where clouds serve instance metadata", ["169.254.0.0/16", "fe80::/10"]),
    ("a cloud's instance metadata address", ["100.100.100.200/32", "168.63.129.16/32", "fd00:ec2::254/128"]),
]


def networks(cidrs) -> list[Network]:
    return [ipaddress.ip_network(cidr.strip(), strict=False) for cidr in cidrs if cidr.strip()]


def why_refused(address: Address) -> str:
    """What kind of address it is, when namespace admins may not reach it ("" when they may)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in network for network in networks(settings.MTVWEB_ALLOWED_PROVIDER_NETWORKS)):
        return ""
    for kind, cidrs in REFUSED:
        if any(address in network for network in networks(cidrs)):
            return kind
    if any(address in network for network in networks(settings.MTVWEB_CLUSTER_NETWORKS)):
        return "an address of the cluster's own pod or service network"
    return ""


def resolve(host: str, port: int) -> list[Address]:
    """Every address the host name resolves to (an address stays itself); none when it does not resolve."""
    try:
        found = socket.getaddrinfo(host, port or None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]


def refusal(user, endpoint: Endpoint | None) -> str:
    """Why the user may not have mtvweb connect to the endpoint ("" when they may). Cluster admins and
    the command line (no user) may connect anywhere; a name that does not resolve is left to the
    connection test to report."""
    if endpoint is None or user is None or user.is_superuser:
        return ""
    for address in resolve(endpoint.host, endpoint.port):
        kind = why_refused(address)
        if kind:
            named = endpoint.host if endpoint.host == str(address) else f"{endpoint.host} (it resolves to {address})"
            return (f"mtvweb does not connect to {named} for you: that is {kind}. Ask a cluster admin to add this "
                    "provider, or to allow the address (MTVWEB_ALLOWED_PROVIDER_NETWORKS).")
    return ""
