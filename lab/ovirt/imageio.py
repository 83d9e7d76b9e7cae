"""Configure and start the real ovirt-imageio daemon (from PyPI) unprivileged on loopback.

Its conf.d turns off what needs root or systemd (dropping privileges, sd_notify), binds the
remote (data) service to 127.0.0.1 with a certificate from the lab CA, puts the control
service on TCP (tickets come from the simulated engine) and disables the local unix
socket service, whose fixed abstract name would clash between labs on one machine.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def write_config(conf_dir: Path, run_dir: Path, cert: tuple[Path, Path], ca_file: Path, port: int,
                 control_port: int) -> None:
    (conf_dir / "conf.d").mkdir(parents=True, exist_ok=True)
    run_dir.mkdir(parents=True, exist_ok=True)
    (conf_dir / "conf.d" / "50-mtvweb-lab.conf").write_text(f"""\
[daemon]
drop_privileges = false
systemd_enable = false
run_dir = {run_dir}

[tls]
enable = true
cert_file = {cert[0]}
key_file = {cert[1]}
ca_file = {ca_file}

[remote]
host = 127.0.0.1
port = {port}

[local]
enable = false

[control]
transport = tcp
port = {control_port}

[handlers]
keys = stderr

[logger_root]
level = INFO
handlers = stderr
""")


def command(conf_dir: Path) -> list[str]:
    script = Path(sys.executable).parent / "ovirt-imageio"
    if not script.exists():
        found = shutil.which("ovirt-imageio")
        if found is None:
            raise RuntimeError("ovirt-imageio is not installed (pip install ovirt-imageio)")
        script = Path(found)
    return [sys.executable, str(script), "--conf-dir", str(conf_dir)]
