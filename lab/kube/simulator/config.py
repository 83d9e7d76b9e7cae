"""What the simulator is told by `lab up` (a JSON file) and how it reaches the API server."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from kubernetes import client

# Images this project builds: any registry/namespace, repository name `mtvweb`, any tag.
DEFAULT_IMAGE_PATTERN = r"^(?:[^/]+/)*mtvweb(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$"


@dataclass
class Node:
    name: str
    kubelet_port: int


@dataclass
class Config:
    server: str
    apiserver_port: int
    ca_file: str
    client_cert: str
    client_key: str
    kubelet_cert: str
    kubelet_key: str
    nodes: list[Node]
    volumes_dir: Path
    pods_dir: Path
    heartbeat_file: Path
    repo_root: Path
    image_root: str  # the image's root filesystem (lab/image.py), every container's /
    image_pattern: str = DEFAULT_IMAGE_PATTERN
    node_cpu: str = "16"
    node_memory: str = "64Gi"
    extra: dict = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Config:
        data = json.loads(Path(path).read_text())
        data["nodes"] = [Node(**n) for n in data["nodes"]]
        for key in ("volumes_dir", "pods_dir", "heartbeat_file", "repo_root"):
            data[key] = Path(data[key])
        return cls(**data)

    def to_json(self) -> str:
        data = dict(self.__dict__)
        data["nodes"] = [n.__dict__ for n in self.nodes]
        return json.dumps({k: str(v) if isinstance(v, Path) else v for k, v in data.items()}, indent=2)

    def image_runs_here(self, image: str) -> bool:
        return re.match(self.image_pattern, image or "") is not None

    def api_client(self) -> client.ApiClient:
        """A fresh client (one per thread: the generated client is not meant to be shared)."""
        configuration = client.Configuration()
        configuration.host = self.server
        configuration.ssl_ca_cert = self.ca_file
        configuration.cert_file = self.client_cert
        configuration.key_file = self.client_key
        return client.ApiClient(configuration)
