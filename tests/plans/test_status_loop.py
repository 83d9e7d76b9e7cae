"""The loop `manage.py engine` runs beside the scheduler: a plan's status follows its inputs
without anyone asking (a map fixed through the API makes the plan Ready)."""

import threading
import time

import pytest

from mappings.models import NetworkPair
from plans import status
from plans.models import Plan

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_fixed_map_makes_the_plan_ready_by_itself(make_plan, inventory):
    NetworkPair.objects.filter(source_id="network-2").delete()
    plan = make_plan("wave-1", vms=["vm-2"])
    assert plan.status == Plan.Status.NOT_READY
    NetworkPair.objects.create(map=inventory["network_map"], source_id="network-2", source_name="Storage Net",
                               destination_type="multus", destination_namespace="team-a", destination_name="vlan-100")
    inventory["network_map"].save()  # what the map editor and the API do after changing pairs
    stop = threading.Event()
    loop = status.StatusThread(stop, poll=0.05)
    loop.start()
    try:
        deadline = time.monotonic() + 10
        while Plan.objects.get(pk=plan.pk).status != Plan.Status.READY and time.monotonic() < deadline:
            stop.wait(0.05)
    finally:
        stop.set()
        loop.join(timeout=10)
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.READY
    assert not loop.is_alive()
