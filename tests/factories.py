from functools import cache

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from mappings.models import NetworkMap, StorageMap
from mtvweb.models import Namespace, NamespaceRole
from plans.models import Plan
from providers.models import Provider


def grant(user, role, namespace):
    Namespace.objects.get_or_create(name=namespace)
    return NamespaceRole.objects.create(user=user, role=role, namespace=namespace)


PASSWORD = "correct-horse-battery"


@cache
def password_hash() -> str:
    """Hash the shared test password once: the real hasher is slow on purpose."""
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.LazyFunction(password_hash)


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"provider-{n}")
    namespace = "team-a"
    type = "vsphere"
    url = "https://vcenter.example.com/sdk"


class NetworkMapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NetworkMap

    name = factory.Sequence(lambda n: f"netmap-{n}")
    source_provider = factory.SubFactory(ProviderFactory)
    destination_provider = factory.SubFactory(ProviderFactory, type="openshift")


class StorageMapFactory(NetworkMapFactory):
    class Meta:
        model = StorageMap

    name = factory.Sequence(lambda n: f"storagemap-{n}")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    name = factory.Sequence(lambda n: f"plan-{n}")
    namespace = "team-a"
    source_provider = factory.SubFactory(ProviderFactory)
    destination_provider = factory.SubFactory(ProviderFactory, type="openshift")
    target_namespace = "team-a"
