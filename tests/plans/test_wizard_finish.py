"""The wizard's finish calls the cluster outside any database transaction (one held across the
call would lock a SQLite database for everyone while the cluster answers), and stays all or
nothing: the input is checked before a namespace is made, and a namespace made for a save that
then fails is removed again."""

import pytest
from django.db import connection

from plans import writer
from plans.models import Plan
from plans.wizard import finish
from providers.models import InventoryObject
from tests.plans.test_wizard import complete, text, wizard  # noqa: F401 - the wizard fixture

pytestmark = pytest.mark.django_db(transaction=True)


class Namespaces:
    """The target cluster's namespace calls, each with whether a transaction was open then."""

    def __init__(self):
        self.calls = []

    def create_namespace(self, body):
        self.calls.append(("create", body["metadata"]["name"], connection.in_atomic_block))

    def delete_namespace(self, name):
        self.calls.append(("delete", name, connection.in_atomic_block))


@pytest.fixture
def cluster(monkeypatch):
    namespaces = Namespaces()
    monkeypatch.setattr(finish, "cluster_api", lambda provider: None)
    monkeypatch.setattr(finish.client, "CoreV1Api", lambda api: namespaces)
    return namespaces


def test_the_new_namespace_is_made_outside_any_transaction(wizard, cluster):  # noqa: F811
    complete(wizard)
    wizard.post("review", action="finish")
    assert Plan.objects.filter(name="wave-1").exists()
    assert cluster.calls == [("create", "team-a", False)]


def test_a_save_that_fails_after_the_namespace_was_made_removes_it(wizard, cluster, monkeypatch):  # noqa: F811
    def taken_meanwhile(user, plan, instance=None):
        raise writer.Invalid({"name": ["A plan named wave-1 was just created in project team-a: choose another "
                                       "name."]})

    complete(wizard)
    monkeypatch.setattr(writer, "save", taken_meanwhile)
    response = wizard.post("review", action="finish")
    assert "A plan named wave-1 was just created in project team-a: choose another name." in text(response)
    assert not Plan.objects.filter(name="wave-1").exists()
    assert cluster.calls == [("create", "team-a", False), ("delete", "team-a", False)]


def test_input_with_problems_makes_no_namespace(wizard, cluster, make_plan, inventory):  # noqa: F811
    complete(wizard)
    make_plan("wave-1")  # the name is taken before the finish
    response = wizard.post("review", action="finish")
    assert "A plan named wave-1 already exists" in text(response)
    assert cluster.calls == []


def test_a_namespace_the_inventory_knows_is_not_made_again(wizard, cluster, inventory):  # noqa: F811
    InventoryObject.objects.create(provider=inventory["target"], kind="folder", uid="ns-1", name="team-a", digest="x")
    complete(wizard)
    wizard.post("review", action="finish")
    assert Plan.objects.filter(name="wave-1").exists() and cluster.calls == []
