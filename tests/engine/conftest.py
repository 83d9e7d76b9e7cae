import pytest
from kubernetes import client, config


@pytest.fixture
def kube(kube_lab):
    """(CoreV1Api, CustomObjectsApi) of the lab cluster, as its admin."""
    api = config.new_client_from_config(kube_lab["admin_kubeconfig"])
    yield client.CoreV1Api(api), client.CustomObjectsApi(api)
    api.close()
