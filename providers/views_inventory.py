"""The provider page's inventory tabs: VMs, hosts, networks, storage — of a cluster, only what lives
in the viewer's namespaces (providers.inventory.visible)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views import View
from django_tables2 import RequestConfig

from mtvweb.views import generic
from providers.adapters import adapter_class
from providers.inventory.visible import visible_counts, visible_inventory
from providers.inventory_filters import VMFilter
from providers.inventory_tables import InventoryObjectTable, StorageTable, VMTable
from providers.models import Host, InventoryObject, Provider, VirtualMachine

TABS = [("details", "Details"), ("vms", "Virtual machines"), ("hosts", "Hosts"), ("networks", "Networks"),
        ("storage", "Storage")]
KIND = {"hosts": "host", "networks": "network", "storage": "storage"}


def tabs_for(provider):
    has_hosts = adapter_class(provider.type).has_hosts
    return [(name, label) for name, label in TABS if name != "hosts" or has_hosts]


class ProviderPartMixin(generic.ObjectPermissionMixin):
    queryset = Provider.objects.all()

    def get_provider(self, pk):
        return self.object_for(pk)


class ProviderStatusView(ProviderPartMixin, View):
    def get(self, request, pk):
        provider = self.get_provider(pk)
        return render(request, "providers/provider_status.html",
                      {"object": provider, "counts": visible_counts(request.user, provider)})


class ProviderInventoryView(ProviderPartMixin, View):
    per_page = 50

    def get(self, request, pk, tab):
        provider = self.get_provider(pk)
        if tab not in dict(tabs_for(provider)) or tab == "details":
            raise Http404(f"No {tab} tab for this provider")
        if tab == "vms":
            table, filterset = self.vm_table(request, provider)
        else:
            table, filterset = self.object_table(request, provider, KIND[tab]), None
        context = {"object": provider, "tab": tab, "tabs": tabs_for(provider), "table": table,
                   "filterset": filterset, "can_change": self.can("change", provider)}
        if tab == "hosts" and adapter_class(provider.type).host_addresses:
            context["host_rows"] = host_rows(provider)
        if generic.is_partial_request(request):
            return render(request, "generic/object_table.html", context)
        return render(request, "providers/provider_inventory.html", context)

    def vm_table(self, request, provider):
        vms = visible_inventory(request.user, provider, VirtualMachine).only(
            "uid", "name", "path", "power_state", "host_uid", "concern_level", "concern_count", "concerns", "data",
            "revision_validated")
        filterset = VMFilter(request.GET, queryset=vms, provider=provider, user=request.user)
        hosts = dict(InventoryObject.objects.filter(provider=provider, kind="host").values_list("uid", "name"))
        table = VMTable(filterset.qs, adapter=adapter_class(provider.type), host_names=hosts,
                        order_by=request.GET.get("sort", "name"))
        RequestConfig(request, paginate={"per_page": self.per_page}).configure(table)
        return table, filterset

    def object_table(self, request, provider, kind):
        objects = visible_inventory(request.user, provider, InventoryObject).filter(kind=kind)
        if kind == "storage":
            table = StorageTable(objects, adapter=adapter_class(provider.type))
        else:
            table = InventoryObjectTable(objects)
        RequestConfig(request, paginate={"per_page": self.per_page}).configure(table)
        return table


def host_rows(provider):
    """Each ESXi host with the addresses it can be read through and the one chosen (guide §5.3)."""
    chosen = dict(Host.objects.filter(provider=provider).values_list("host_id", "ip_address"))
    rows = []
    for host in InventoryObject.objects.filter(provider=provider, kind="host").order_by("name"):
        vnics = (host.data.get("networking") or {}).get("vNICs") or []
        choices = [(v["ipAddress"], f"{v['ipAddress']} ({v.get('portGroup') or v.get('dPortGroup') or v['key']})")
                   for v in vnics if v.get("ipAddress")]
        rows.append({"host": host, "choices": choices, "chosen": chosen.get(host.uid, "")})
    return rows


class HostSettingView(ProviderPartMixin, View):
    """Choose the migration network address of one ESXi host, or go back to the default."""

    def post(self, request, pk, host_id):
        provider = self.object_for(pk, "change")
        if not adapter_class(provider.type).host_addresses:
            raise Http404(f"{provider.get_type_display()} hosts have no migration network to choose.")
        host = get_object_or_404(InventoryObject, provider=provider, kind="host", uid=host_id)
        row = next(r for r in host_rows(provider) if r["host"].uid == host.uid)
        address = request.POST.get("ip_address", "")
        if address and address not in dict(row["choices"]):
            raise Http404("That address does not belong to this host")
        if address:
            Host.objects.update_or_create(provider=provider, host_id=host.uid, defaults={"ip_address": address})
        else:
            Host.objects.filter(provider=provider, host_id=host.uid).delete()
        row["chosen"] = address
        return render(request, "providers/host_row.html", {"row": row, "object": provider, "can_change": True,
                                                           "saved": True})
