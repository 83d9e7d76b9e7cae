"""The plan progress websocket: who may connect, and a real worker's events reaching it."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from mtvweb.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.smoke]


def session_cookie(user) -> bytes:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


def communicator(plan_id, user=None):
    headers = [(b"origin", b"http://127.0.0.1")]
    if user is not None:
        headers.append((b"cookie", session_cookie(user)))
    return WebsocketCommunicator(application, f"/ws/plans/{plan_id}/", headers=headers)


async def try_connect(comm):
    connected, code = await comm.connect(timeout=10)
    await comm.disconnect()
    return connected, code


@pytest.mark.parametrize(
    "role,accepted,close_code",
    [
        ("admin", True, None),
        ("nsadmin", True, None),
        ("editor", True, None),
        ("viewer", True, None),
        ("outsider", False, 4403),
        ("anonymous", False, 4401),
    ],
)
def test_who_may_watch_a_plan(people, objects, role, accepted, close_code):
    user = people.get(role)
    connected, code = async_to_sync(try_connect)(communicator(objects["plan"].pk, user))
    assert connected is accepted
    if not accepted:
        assert code == close_code


def test_unknown_plan_is_refused(people):
    connected, code = async_to_sync(try_connect)(communicator(999999, people["admin"]))
    assert (connected, code) == (False, 4403)


def test_a_worker_ringing_the_plan_reaches_the_browser(people, objects, qcluster):
    """A real django-q2 worker process rings the plan (as the engine and the log archiver do);
    a viewer's socket is told the plan changed, and nothing else."""
    from channels.db import database_sync_to_async
    from django_q.tasks import async_task

    plan = objects["plan"]

    async def watch():
        comm = communicator(plan.pk, people["viewer"])
        connected, _ = await comm.connect(timeout=10)
        assert connected
        await database_sync_to_async(async_task)("plans.live.changed", plan.pk)
        received = await comm.receive_json_from(timeout=60)
        await comm.disconnect()
        return received

    assert async_to_sync(watch)() == {"changed": True}


def test_other_plans_changes_do_not_leak(people, objects):
    """Another plan rings first, then the watched one: one signal arrives, and no second (a leaked
    one would have come before the watched plan's, so it would still be waiting here)."""
    from channels.db import database_sync_to_async

    from plans.live import changed

    async def watch():
        comm = communicator(objects["plan"].pk, people["viewer"])
        assert (await comm.connect(timeout=10))[0]
        await database_sync_to_async(changed)(objects["other_plan"].pk)
        await database_sync_to_async(changed)(objects["plan"].pk)
        first = await comm.receive_json_from(timeout=10)
        nothing_else = await comm.receive_nothing()
        await comm.disconnect()
        return first, nothing_else

    assert async_to_sync(watch)() == ({"changed": True}, True)


async def closed_before_any_signal(comm) -> int:
    """The next thing the socket does: it must close (its code is returned) without passing a signal on."""
    output = await comm.receive_output(timeout=10)
    assert output["type"] == "websocket.close", output
    return output["code"]


def test_a_role_taken_away_closes_the_socket(people, objects):
    from channels.db import database_sync_to_async

    from mtvweb.roles import NamespaceRole

    async def watch():
        comm = communicator(objects["plan"].pk, people["viewer"])
        assert (await comm.connect(timeout=10))[0]
        await database_sync_to_async(NamespaceRole.objects.get(user=people["viewer"]).delete)()
        return await closed_before_any_signal(comm)

    assert async_to_sync(watch)() == 4403


def test_each_signal_checks_access_again(people, objects):
    """A role changed without any announcement (a bulk update sends no signal): the plan's next
    signal does not reach the socket, which closes."""
    from channels.db import database_sync_to_async

    from mtvweb.roles import NamespaceRole
    from plans.live import changed

    async def watch():
        comm = communicator(objects["plan"].pk, people["viewer"])
        assert (await comm.connect(timeout=10))[0]
        await database_sync_to_async(NamespaceRole.objects.filter(user=people["viewer"]).update)(namespace="team-z")
        await database_sync_to_async(changed)(objects["plan"].pk)
        return await closed_before_any_signal(comm)

    assert async_to_sync(watch)() == 4403


def test_logging_out_closes_the_socket(people, objects, client):
    from channels.db import database_sync_to_async

    client.force_login(people["viewer"])
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()

    async def watch():
        comm = WebsocketCommunicator(application, f"/ws/plans/{objects['plan'].pk}/",
                                     headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", cookie)])
        assert (await comm.connect(timeout=10))[0]
        await database_sync_to_async(client.post)("/logout/")
        return await closed_before_any_signal(comm)

    assert async_to_sync(watch)() == 4401


def test_an_ended_session_gets_no_more_signals(people, objects):
    """A session that ended without a logout (expired, or removed by an admin)."""
    from channels.db import database_sync_to_async
    from django.contrib.sessions.models import Session

    from plans.live import changed

    async def watch():
        comm = communicator(objects["plan"].pk, people["viewer"])
        assert (await comm.connect(timeout=10))[0]
        await database_sync_to_async(Session.objects.all().delete)()
        await database_sync_to_async(changed)(objects["plan"].pk)
        return await closed_before_any_signal(comm)

    assert async_to_sync(watch)() == 4401
