"""The `host` provider: the cluster mtvweb runs against, added automatically as Forklift does
(guide §4.4.1.5: an OpenShift Virtualization provider with neither URL nor token)."""

from __future__ import annotations

import logging

from django.db import transaction

from mtvweb.models import Namespace
from providers.kube import host_configured
from providers.models import Provider

log = logging.getLogger(__name__)
HOST_NAMESPACE = "openshift-mtv"
HOST_NAME = "host"


def ensure_host_provider() -> Provider | None:
    """Create the host provider when a host cluster is configured and no host provider exists yet.

    Idempotent. An existing host provider is left as it is (an admin may have changed its
    migration network); None when there is no host cluster (MTVWEB_KUBECONFIG unset and not
    running in a Pod)."""
    if not host_configured():
        return None
    with transaction.atomic():
        existing = Provider.objects.filter(type=Provider.Type.OPENSHIFT, url="").order_by("pk").first()
        if existing is not None:
            return existing
        taken = Provider.objects.filter(namespace=HOST_NAMESPACE, name=HOST_NAME).first()
        if taken is not None:
            log.warning("Not adding the host provider: %s/%s is already a %s provider.", HOST_NAMESPACE, HOST_NAME,
                        taken.type)
            return None
        Namespace.objects.get_or_create(name=HOST_NAMESPACE)
        return Provider.objects.create(namespace=HOST_NAMESPACE, name=HOST_NAME, type=Provider.Type.OPENSHIFT, url="")
