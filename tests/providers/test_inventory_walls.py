"""Issue 13, attack 2: the shared host provider showed every namespace of the cluster to anyone with
a role anywhere. Its VMs, NetworkAttachmentDefinitions and namespaces are now shown, listed and
offered only for namespaces where the user holds a role (to use them: editor); storage classes
belong to the whole cluster and stay visible (tests/tenancy_world.py)."""

import re

import pytest
from django.urls import reverse

from mtvweb.models import ApiToken
from providers.models import InventoryObject, VirtualMachine
from tests.tenancy_world import shared_cluster, tenants

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return {"host": shared_cluster(), **tenants()}


def bearer(user):
    _, key = ApiToken.issue(user, "test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def names(client, user, path):
    response = client.get(path, **bearer(user))
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json())


@pytest.mark.parametrize("who,vms,namespaces,nads", [
    # …and the NADs of default, which every namespace may attach to
    ("alice", ["web-1"], ["mtv-demo"], ["br-ext", "vlan-200"]),
    ("vic", ["db-1"], ["mtv-user"], ["br-ext", "vlan-100"]),  # a viewer sees her namespace…
    ("admin", ["db-1", "web-1"], ["default", "kube-system", "mtv-demo", "mtv-user", "openshift-mtv"],
     ["br-ext", "vlan-100", "vlan-200"]),
])
def test_the_inventory_api_serves_each_user_only_their_namespaces(client, world, who, vms, namespaces, nads):
    base = f"/inventory/providers/openshift/{world['host'].uid}"
    user = world[who]
    assert names(client, user, f"{base}/vms") == vms
    assert names(client, user, f"{base}/vms?detail=1") == vms
    assert names(client, user, f"{base}/namespaces") == namespaces
    assert names(client, user, f"{base}/networkattachmentdefinitions") == nads
    assert names(client, user, f"{base}/storageclasses") == ["standard"]  # the whole cluster's


@pytest.mark.parametrize("path", ["vms/vm-mtv-user", "workloads/vm-mtv-user", "namespaces/ns-mtv-user",
                                  "networkattachmentdefinitions/nad-mtv-user"])
def test_another_teams_objects_are_not_found_by_id(client, world, path):
    base = f"/inventory/providers/openshift/{world['host'].uid}"
    assert client.get(f"{base}/{path}", **bearer(world["alice"])).status_code == 404
    assert client.get(f"{base}/{path}", **bearer(world["vic"])).status_code == 200


def test_nor_by_name_or_path(client, world):
    base = f"/inventory/providers/openshift/{world['host'].uid}"
    assert names(client, world["alice"], f"{base}/vms?name=/mtv-user/db-1") == []
    assert names(client, world["alice"], f"{base}/vms?name=db-1") == []
    assert names(client, world["bob"], f"{base}/vms?name=/mtv-user/db-1") == ["db-1"]


def test_the_inventory_tabs_show_each_user_only_their_namespaces(client, world):
    client.force_login(world["alice"])
    host = world["host"]
    body = client.get(reverse("providers:provider_inventory", args=[host.pk, "vms"])).content.decode()
    assert 'data-testid="vm-vm-mtv-demo"' in body
    assert 'data-testid="vm-vm-mtv-user"' not in body
    assert "/mtv-user" not in body  # not even as a folder to filter on
    body = client.get(reverse("providers:provider_inventory", args=[host.pk, "networks"])).content.decode()
    assert "vlan-200" in body and "vlan-100" not in body
    body = client.get(reverse("providers:provider_inventory", args=[host.pk, "storage"])).content.decode()
    assert "standard" in body


def test_using_takes_the_editor_role(world):
    from plans.tenancy import usable_vms
    from providers.inventory.visible import visible_inventory

    host = world["host"]
    assert list(visible_inventory(world["vic"], host, VirtualMachine).values_list("name", flat=True)) == ["db-1"]
    assert not usable_vms(world["vic"], host).exists()  # seen, not used
    assert list(usable_vms(world["bob"], host).values_list("name", flat=True)) == ["db-1"]
    used = visible_inventory(world["alice"], host, InventoryObject, "use")
    assert sorted(used.values_list("path", flat=True)) == ["/default/br-ext", "/mtv-demo", "/mtv-demo/vlan-200",
                                                           "/standard"]


@pytest.mark.parametrize("who,shown", [("alice", "1 VMs · 0 hosts · 2 networks · 1 storage"),
                                       ("admin", "2 VMs · 0 hosts · 3 networks · 1 storage")])
def test_the_counts_are_of_what_the_user_sees(client, world, who, shown):
    """A count of another team's VMs is a leak too: pages and API count what the user may see."""
    host = world["host"]
    host.counts = {"vm": 2, "folder": 5, "network": 3, "storage": 1}  # the whole cluster, as the store counts
    host.save()
    user = world[who]
    record = client.get(f"/inventory/providers/openshift/{host.uid}", **bearer(user)).json()
    vms, _, networks, _ = (int(n.split()[0]) for n in shown.split(" · "))
    assert (record["vmCount"], record["networkCount"]) == (vms, networks)
    listed = next(p for p in client.get("/api/providers/", **bearer(user)).json() if p["name"] == "host")
    assert listed["vmCount"] == record["vmCount"]
    client.force_login(user)
    assert shown in client.get(reverse("providers:provider_status", args=[host.pk])).content.decode()
    assert shown in client.get(reverse("providers:provider", args=[host.pk])).content.decode()
    assert list_counts(client.get(reverse("providers:provider_list")).content.decode(), host) == [
        int(n.split()[0]) for n in shown.split(" · ")]


def list_counts(html: str, provider) -> list[int]:
    """The VMs, Hosts, Networks and Storage cells of the provider's row in the providers list."""
    row = next(r for r in re.findall(r"<tr.*?</tr>", html, re.S) if f'/providers/{provider.pk}/"' in r)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    return [int(c) for c in cells if c.isdigit()][:4]
