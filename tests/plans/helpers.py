from plans.models import Migration


def ran(plan, run_status):
    """Record a migration of the plan in that state."""
    return Migration.objects.create(plan=plan, status=run_status)


def as_user(client, user):
    client.force_login(user)
    return client


def lab_source_and_target(settings, kube_lab, vsphere_lab):
    """The lab's vCenter (with a VDDK image set) and the lab cluster as providers, loaded and Ready."""
    from providers.adapters.openshift.host import ensure_host_provider
    from providers.models import Provider
    from tests.providers.helpers import load
    from tests.providers.vsphere_helpers import make_provider

    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    host = ensure_host_provider()
    load(host)
    source = make_provider(vsphere_lab)
    source.settings = {"vddkInitImage": "registry.example.com/vddk:8"}
    source.save()
    load(source)
    Provider.objects.filter(pk__in=[host.pk, source.pk]).update(status="Ready")
    host.refresh_from_db()
    source.refresh_from_db()
    return source, host
