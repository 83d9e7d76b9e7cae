from plans.models import Migration, MigrationVM, RunStatus


def ran(plan, run_status):
    """Record a migration of the plan in that state, each VM with the same result."""
    migration = Migration.objects.create(plan=plan, status=run_status)
    MigrationVM.objects.bulk_create(MigrationVM(migration=migration, vm_id=vm.vm_id, name=vm.name, status=run_status)
                                    for vm in plan.vms.all())
    return migration


def running_with_one_vm_done(plan):
    """A running migration of the plan whose vm-1 (web-1) has succeeded while vm-2 (db-1) still runs."""
    migration = Migration.objects.create(plan=plan, status=RunStatus.RUNNING)
    MigrationVM.objects.create(migration=migration, vm_id="vm-1", name="web-1", status=RunStatus.SUCCEEDED)
    MigrationVM.objects.create(migration=migration, vm_id="vm-2", name="db-1", status=RunStatus.RUNNING)
    return migration


def as_user(client, user):
    client.force_login(user)
    return client


def lab_source_and_target(settings, kube_lab, vsphere_lab):
    """The lab's vCenter and the lab cluster as providers, loaded and Ready. (No VDDK image: the
    lab can only serve disks over the datastore's HTTPS; the plans get the guide's warning.)"""
    from providers.adapters.openshift.host import ensure_host_provider
    from providers.models import Provider
    from tests.providers.helpers import load
    from tests.providers.vsphere_helpers import make_provider

    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    host = ensure_host_provider()
    load(host)
    source = make_provider(vsphere_lab)
    load(source)
    Provider.objects.filter(pk__in=[host.pk, source.pk]).update(status="Ready")
    host.refresh_from_db()
    source.refresh_from_db()
    return source, host
