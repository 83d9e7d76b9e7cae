import pytest
from django.urls import reverse

from plans.models import Migration, MigrationVM

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def counts(html: str, testid: str) -> dict:
    from html.parser import HTMLParser

    found, state = {}, {"in": False, "label": None}

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if attrs.get("data-testid") == testid:
                state["in"] = True
            elif state["in"] and tag == "dd":
                state["label"] = attrs["data-count"]

        def handle_data(self, data):
            if state["label"]:
                found[state["label"]] = int(data)
                state["label"] = None

        def handle_endtag(self, tag):
            if tag == "dl":
                state["in"] = False

    Parser().feed(html)
    return found


def test_overview_counts_migrations_and_vm_migrations(client, people, objects):
    plan = objects["plan"]
    for status in ["Running", "Failed", "Succeeded", "Succeeded", "Canceled", "Pending"]:
        migration = Migration.objects.create(plan=plan, status=status)
    for n, status in enumerate(["Running", "Running", "Failed", "Succeeded"]):
        MigrationVM.objects.create(migration=migration, vm_id=f"vm-{n}", name=f"vm-{n}", status=status)
    client.force_login(people["admin"])
    html = client.get(reverse("overview")).content.decode()
    assert counts(html, "migration-counts") == {
        "Total": 6, "Running": 1, "Failed": 1, "Succeeded": 2, "Canceled": 1,
    }
    assert counts(html, "vm-migration-counts") == {
        "Total": 4, "Running": 2, "Failed": 1, "Succeeded": 1, "Canceled": 0,
    }


def test_missing_page_uses_the_console_404(client, people):
    client.force_login(people["viewer"])
    response = client.get("/plans/424242/")
    assert response.status_code == 404
    assert "belongs to a project you cannot see" in response.content.decode()
