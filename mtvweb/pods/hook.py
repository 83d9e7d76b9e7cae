"""Entry point of a hook Job's Pod: `python -m mtvweb.pods.hook --playbook FILE [--workload FILE] [--plan FILE]`.

Runs the hook's Ansible playbook against localhost, as MTV's hook-runner image does, with the
migrating VM's inventory record (`workload.yml`) and the plan (`plan.yml`) as extra variables.
Its output is the Pod's log; a failing playbook fails the Pod, and the engine fails the VM at
that step with the output's last lines.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

TAIL = 20


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mtvweb.pods.hook")
    parser.add_argument("--playbook", required=True)
    parser.add_argument("--workload", default="")
    parser.add_argument("--plan", default="")
    args = parser.parse_args(argv)
    command = [sys.executable, "-m", "ansible.cli.playbook", "-i", "localhost,", "-c", "local", args.playbook]
    for extra in (args.workload, args.plan):
        if extra and os.path.exists(extra):
            command += ["-e", f"@{extra}"]
    env = {**os.environ, "HOME": os.environ.get("HOME") or "/tmp", "ANSIBLE_LOCAL_TEMP": "/tmp/ansible-local",
           "ANSIBLE_REMOTE_TEMP": "/tmp/ansible-remote", "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0"}
    lines = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env) as run:
        for line in run.stdout:
            print(line, end="", flush=True)
            lines = (lines + [line.rstrip()])[-TAIL:]
    message = "\n".join(lines) if run.returncode else "hook playbook succeeded"
    try:
        with open("/dev/termination-log", "w") as f:
            f.write(message)
    except OSError:
        pass
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
