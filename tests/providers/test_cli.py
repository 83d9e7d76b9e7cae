"""manage.py provider: the same rules as the console, from a shell."""

import io

import pytest
from django.core.management import CommandError, call_command

from providers.models import Provider

pytestmark = [pytest.mark.lab, pytest.mark.django_db]


def run(*args, stdin=""):
    out = io.StringIO()
    import sys

    saved, sys.stdin = sys.stdin, io.StringIO(stdin)
    try:
        call_command("provider", *args, stdout=out)
    finally:
        sys.stdin = saved
    return out.getvalue()


def vsphere_fields(lab):
    return [f"url={lab['url']}", f"user={lab['user']}", "password=-", f"thumbprint={lab['thumbprint']}",
            "insecure_skip_verify=on"]


def test_create_list_update_delete(vsphere_lab):
    assert "saved team-a/vc" in run("create", "vsphere", "vc", "team-a", *vsphere_fields(vsphere_lab),
                                    stdin=vsphere_lab["password"] + "\n")
    provider = Provider.objects.get(name="vc")
    assert provider.credentials()["password"] == vsphere_lab["password"]
    assert "team-a/vc\tvsphere\tStaging" in run("list")
    assert "connected to team-a/vc" in run("test", "team-a/vc")
    run("update", "team-a/vc", "vddk_init_image=registry.example.com/vddk:8")
    provider.refresh_from_db()
    assert provider.settings["vddkInitImage"] == "registry.example.com/vddk:8"
    assert provider.credentials()["password"] == vsphere_lab["password"]
    assert "deleted team-a/vc" in run("delete", "team-a/vc")
    assert not Provider.objects.exists()


def test_wrong_password_is_refused_with_the_reason(vsphere_lab):
    with pytest.raises(CommandError, match="refused the user name or password"):
        run("create", "vsphere", "vc", "team-a", *vsphere_fields(vsphere_lab), stdin="wrong\n")
    assert not Provider.objects.exists()


def test_unknown_provider_says_how_to_name_one():
    with pytest.raises(CommandError, match="<namespace>/<name>"):
        run("test", "vc")
