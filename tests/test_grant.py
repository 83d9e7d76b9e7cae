import pytest
from django.core.management import CommandError, call_command

from mtvweb.models import Namespace, NamespaceRole

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


def test_grant_creates_the_user_and_the_role(capsys):
    call_command("grant", "dana", "editor", "team-x")
    out = capsys.readouterr().out
    assert "Created user dana with password: " in out
    role = NamespaceRole.objects.get(user__username="dana")
    assert (role.namespace, role.role) == ("team-x", "editor")
    assert Namespace.objects.filter(name="team-x").exists()
    generated = out.split("password: ")[1].split()[0]
    assert role.user.check_password(generated)


def test_grant_changes_and_revokes_a_role():
    call_command("grant", "dana", "viewer", "team-x", password="pw-one-two-three")
    call_command("grant", "dana", "admin", "team-x")
    assert NamespaceRole.objects.get(user__username="dana").role == "admin"
    call_command("grant", "dana", "none", "team-x")
    assert not NamespaceRole.objects.filter(user__username="dana").exists()


def test_cluster_admin():
    call_command("grant", "root2", "cluster-admin", password="pw-one-two-three")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="root2")
    assert user.is_superuser and user.check_password("pw-one-two-three")


@pytest.mark.parametrize("args,message", [
    (["dana", "editor"], "Name the namespace"),
    (["dana", "editor", "Team_X"], "not a valid namespace name"),
])
def test_bad_arguments_say_what_to_fix(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("grant", *args)


@pytest.mark.parametrize("password,message", [
    ("s3cret", "too short"), ("password1234", "too common"), ("620184539127", "entirely numeric"),
    ("dana-the-user", "too similar to the username"),
])
def test_weak_passwords_are_refused_and_nothing_is_made(password, message):
    from django.contrib.auth import get_user_model

    with pytest.raises(CommandError, match=f"The password is refused: .*{message}"):
        call_command("grant", "dana-the-user", "editor", "team-x", password=password)
    assert not get_user_model().objects.filter(username="dana-the-user").exists()
