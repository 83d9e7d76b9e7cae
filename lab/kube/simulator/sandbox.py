"""How one container of a Pod becomes a local process: environment and bubblewrap mounts.

The process gets a private mount namespace (bwrap) whose root is the image's root filesystem
(`python -m lab image`, lab/image.py: what the Dockerfile installs), read-only but for fresh
tmpfs at /tmp, /root, /run and /var/tmp; the repository is at /app read-only (code changes need
no image rebuild) and the Pod's volumes at their mountPath/devicePath. Nothing of the host's /usr or of
the lab's Python is visible: a program or library missing from the image fails here as it would
fail on a cluster. Nothing the Pod writes outside its volumes touches the host. The network is
the host's, so Pods reach the lab's services on 127.0.0.1.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from lab.image import PATH as IMAGE_PATH
from lab.image import inside, root_mounts
from lab.kube.simulator.config import Config
from lab.kube.simulator.volumes import HostVolume, field_value, resource_value

APP = "/app"  # where the image has the project (the checkout, read-only)


class ContainerConfigError(Exception):
    """The container cannot be created as specified (reported as CreateContainerConfigError)."""


_VAR_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def expand(text: str, env: dict[str, str]) -> str:
    """Kubernetes' $(VAR) expansion in command, args and env values ($$ escapes)."""
    return _VAR_REF.sub(lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)


class Sandbox:
    def __init__(self, config: Config, api: client.ApiClient, pod: dict, directory: Path, allocatable: dict):
        self.config = config
        self.core = client.CoreV1Api(api)
        self.pod = pod
        self.directory = directory
        self.allocatable = allocatable

    # --- environment -------------------------------------------------------------------

    def environment(self, container: dict) -> dict[str, str]:
        port = str(self.config.apiserver_port)
        env = {
            "PATH": IMAGE_PATH,
            "HOME": "/root",
            "HOSTNAME": self.pod["metadata"]["name"][:63],
            "LANG": "C.UTF-8",
            "PYTHONPATH": APP,
            "PYTHONUNBUFFERED": "1",
            "KUBERNETES_SERVICE_HOST": "127.0.0.1",
            "KUBERNETES_SERVICE_PORT": port,
            "KUBERNETES_SERVICE_PORT_HTTPS": port,
            "KUBERNETES_PORT": f"tcp://127.0.0.1:{port}",
            "KUBERNETES_PORT_443_TCP": f"tcp://127.0.0.1:{port}",
            "KUBERNETES_PORT_443_TCP_ADDR": "127.0.0.1",
            "KUBERNETES_PORT_443_TCP_PORT": port,
            "KUBERNETES_PORT_443_TCP_PROTO": "tcp",
        }
        for source in container.get("envFrom") or []:
            prefix = source.get("prefix", "")
            for key, value in self._env_from(source).items():
                env[prefix + key] = value
        for var in container.get("env") or []:
            if "valueFrom" in var:
                value = self._value_from(var["valueFrom"], container)
                if value is None:
                    continue
            else:
                value = expand(var.get("value", ""), env)
            env[var["name"]] = value
        return env

    def _env_from(self, source: dict) -> dict[str, str]:
        namespace = self.pod["metadata"]["namespace"]
        ref = source.get("configMapRef") or source.get("secretRef")
        try:
            if "configMapRef" in source:
                return dict(self.core.read_namespaced_config_map(ref["name"], namespace).data or {})
            data = self.core.read_namespaced_secret(ref["name"], namespace).data or {}
            return {k: base64.b64decode(v).decode(errors="replace") for k, v in data.items()}
        except ApiException as exc:
            if exc.status == 404 and ref.get("optional"):
                return {}
            if exc.status == 404:
                kind = "configmap" if "configMapRef" in source else "secret"
                raise ContainerConfigError(f'{kind} "{ref["name"]}" not found') from None
            raise

    def _value_from(self, source: dict, container: dict) -> str | None:
        namespace = self.pod["metadata"]["namespace"]
        if "fieldRef" in source:
            return field_value(self.pod, source["fieldRef"]["fieldPath"])
        if "resourceFieldRef" in source:
            ref = {"containerName": container["name"], **source["resourceFieldRef"]}
            return resource_value(self.pod, ref, self.allocatable)
        ref = source.get("secretKeyRef") or source.get("configMapKeyRef")
        kind = "secret" if "secretKeyRef" in source else "configmap"
        try:
            if kind == "secret":
                data = {
                    k: base64.b64decode(v).decode(errors="replace")
                    for k, v in (self.core.read_namespaced_secret(ref["name"], namespace).data or {}).items()
                }
            else:
                data = self.core.read_namespaced_config_map(ref["name"], namespace).data or {}
        except ApiException as exc:
            if exc.status != 404:
                raise
            if ref.get("optional"):
                return None
            raise ContainerConfigError(f'{kind} "{ref["name"]}" not found') from None
        if ref["key"] not in data:
            if ref.get("optional"):
                return None
            raise ContainerConfigError(
                f"couldn't find key {ref['key']} in {kind.capitalize()} {namespace}/{ref['name']}"
            )
        return data[ref["key"]]

    # --- command line ------------------------------------------------------------------

    def argv(self, container: dict, env: dict[str, str]) -> list[str]:
        words = [expand(w, env) for w in (container.get("command") or []) + (container.get("args") or [])]
        if not words:
            raise ContainerConfigError(
                f'container "{container["name"]}" has neither command nor args; the lab image has no default entrypoint'
            )
        return words

    def bwrap(
        self,
        container: dict,
        volumes: dict[str, HostVolume],
        termination_log: Path,
        info_fd: int,
        command: list[str],
    ) -> list[str]:
        args = [
            "bwrap",
            "--die-with-parent",
            "--unshare-uts",
            "--unshare-ipc",
            "--hostname",
            self.pod["metadata"]["name"][:63],
            "--info-fd",
            str(info_fd),
        ]
        root = self.config.image_root
        log_path = inside(root, container.get("terminationMessagePath") or "/dev/termination-log")
        binds = self._volume_binds(container, volumes)
        args += root_mounts(root, self.config.repo_root, (*(b[2] for b in binds), log_path))
        # Parents before children, so /data is mounted before /data/sub.
        args += [word for bind in sorted(binds, key=lambda b: b[2].count("/")) for word in bind]
        args += ["--bind", str(termination_log), log_path]
        args += ["--chdir", container.get("workingDir") or APP, "--", *command]
        return args

    def _volume_binds(self, container: dict, volumes: dict[str, HostVolume]) -> list[tuple[str, str, str]]:
        """(bwrap flag, host path, path inside the root with its symlinks followed, as a runtime does)."""
        binds = []
        for mount in container.get("volumeMounts") or []:
            volume = self._volume(volumes, mount["name"])
            if volume.block:
                raise ContainerConfigError(
                    f'volume "{mount["name"]}" is a Block volume: use volumeDevices, not volumeMounts'
                )
            source = volume.path / mount["subPath"] if mount.get("subPath") else volume.path
            if mount.get("subPath") and not source.exists():
                source.mkdir(parents=True)
            flag = "--ro-bind" if mount.get("readOnly") or volume.read_only else "--bind"
            binds.append((flag, str(source), mount["mountPath"]))
        for device in container.get("volumeDevices") or []:
            volume = self._volume(volumes, device["name"])
            if not volume.block:
                raise ContainerConfigError(
                    f'volume "{device["name"]}" is a Filesystem volume: use volumeMounts, not volumeDevices'
                )
            binds.append(("--bind", str(volume.path), device["devicePath"]))
        return [(flag, source, inside(self.config.image_root, path)) for flag, source, path in binds]

    @staticmethod
    def _volume(volumes: dict[str, HostVolume], name: str) -> HostVolume:
        if name not in volumes:
            raise ContainerConfigError(f'volume "{name}" is mounted but not defined in the Pod')
        return volumes[name]
