"""Deleting several providers or maps from their list at once (the generic bulk view): a page says what will
happen to each, then each is deleted on its own — one still in use is refused with the reason and
the others go; users who may not delete get no boxes and change nothing."""

import re

import pytest
from django.urls import reverse

from providers.models import Provider
from tests.factories import NetworkMapFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def page_of(response) -> str:
    return response.content.decode()


def boxes(page: str) -> int:
    return len(re.findall(r'<input[^>]*name="pk"[^>]*>', page))


def test_bulk_delete_confirms_then_deletes_each_on_its_own(client, people):
    spare, used = ProviderFactory(name="spare"), ProviderFactory(name="used")
    target = ProviderFactory(name="cluster", type="openshift")
    NetworkMapFactory(namespace="team-a", name="nets", source_provider=used, destination_provider=target)
    client.force_login(people["nsadmin"])
    listing = page_of(client.get(reverse("providers:provider_list")))
    assert 'data-testid="bulk-delete"' in listing and boxes(listing) == 3
    chosen = {"action": "delete", "pk": [spare.pk, used.pk]}
    confirm = page_of(client.post(reverse("providers:provider_bulk"), chosen))
    assert "Delete 2 providers?" in confirm and 'data-testid="bulk-row-spare"' in confirm
    assert Provider.objects.filter(name__in=["spare", "used"]).count() == 2  # nothing yet
    done = page_of(client.post(reverse("providers:provider_bulk"), {**chosen, "confirm": "yes"}, follow=True))
    assert "Deleted 1 provider: spare." in done
    assert "used is still used by nets; remove those first." in done
    assert set(Provider.objects.values_list("name", flat=True)) == {"used", "cluster"}


def test_who_may_not_delete_gets_no_boxes_and_deletes_nothing(client, people):
    provider = ProviderFactory(name="keep")
    client.force_login(people["editor"])  # editors use providers; only a namespace admin deletes them
    listing = page_of(client.get(reverse("providers:provider_list")))
    assert 'data-testid="bulk-delete"' not in listing and boxes(listing) == 0
    assert 'data-testid="bulk-delete"' in page_of(client.get(reverse("plans:plan_list")))  # where the editor may
    done = page_of(client.post(reverse("providers:provider_bulk"),
                               {"action": "delete", "pk": [provider.pk], "confirm": "yes"}, follow=True))
    assert "You may view provider keep but not delete it." in done
    client.force_login(people["outsider"])
    done = page_of(client.post(reverse("providers:provider_bulk"),
                               {"action": "delete", "pk": [provider.pk], "confirm": "yes"}, follow=True))
    assert "A selected provider no longer exists or is not yours to see; reload the list." in done
    assert Provider.objects.filter(pk=provider.pk).exists()


def test_bulk_delete_of_maps_refuses_one_a_plan_uses(client, people, objects):
    from mappings.models import NetworkMap

    spare = NetworkMapFactory(namespace="team-a", name="spare-nets", source_provider=objects["provider"],
                              destination_provider=objects["networkmap"].destination_provider)
    used = objects["plan"].network_map or objects["networkmap"]
    objects["plan"].network_map = used
    objects["plan"].save()
    client.force_login(people["editor"])
    listing = page_of(client.get(reverse("mappings:networkmap_list")))
    assert 'data-testid="bulk-delete"' in listing and boxes(listing) == 2
    chosen = {"action": "delete", "pk": [spare.pk, used.pk], "confirm": "yes"}
    done = page_of(client.post(reverse("mappings:networkmap_bulk"), chosen, follow=True))
    assert "Deleted 1 network map: spare-nets." in done
    assert f"{used.name} is still used by plan team-a/{objects['plan'].name}" in done
    assert list(NetworkMap.objects.filter(namespace="team-a").values_list("name", flat=True)) == [used.name]
    client.force_login(people["viewer"])
    assert 'data-testid="bulk-delete"' not in page_of(client.get(reverse("mappings:networkmap_list")))
