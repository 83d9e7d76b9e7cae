"""The reader Secret's tokens are renewed while disks copy: a transfer container that restarts
after its token expired (OpenStack's Keystone token lives an hour) must find a fresh one."""

import time
from types import SimpleNamespace

from plans.engine import steps_disks


class Core:
    def __init__(self):
        self.patches = []

    def patch_namespaced_secret(self, name, namespace, body):
        self.patches.append((name, namespace, body))


def test_an_old_token_is_renewed_and_a_fresh_one_left_alone(monkeypatch):
    tokens = iter(["dG9rZW4tMg==", "dG9rZW4tMw=="])
    monkeypatch.setattr(steps_disks, "reader_secret_data", lambda ctx: {"SOURCE_TOKEN_HEADER": next(tokens)})
    ctx = SimpleNamespace(core=Core(), namespace="mtv-user", memo={"secret": "vm-1-reader-7", "prepared": True,
                                                                   "secret_refreshed": time.time() - 1000})
    steps_disks.keep_reader_secret_fresh(ctx)
    assert ctx.core.patches == [("vm-1-reader-7", "mtv-user", {"data": {"SOURCE_TOKEN_HEADER": "dG9rZW4tMg=="}})]
    steps_disks.keep_reader_secret_fresh(ctx)  # just renewed: nothing to do
    assert len(ctx.core.patches) == 1
    ctx.memo["secret_refreshed"] -= steps_disks.READER_SECRET_REFRESH
    steps_disks.keep_reader_secret_fresh(ctx)
    assert ctx.core.patches[-1][2] == {"data": {"SOURCE_TOKEN_HEADER": "dG9rZW4tMw=="}}
