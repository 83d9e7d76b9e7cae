"""Validators for names and quantities as Kubernetes spells them."""

import re

from django.core.exceptions import ValidationError

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
QUANTITY = re.compile(r"^(\d+(\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")


def validate_namespace_name(value: str) -> None:
    if len(value) > 63 or not DNS1123_LABEL.match(value):
        raise ValidationError(
            "%(value)s is not a valid namespace name: use at most 63 lower-case letters, digits and '-', "
            "starting and ending with a letter or digit.",
            params={"value": value},
        )


def validate_object_name(value: str) -> None:
    if len(value) > 253 or not DNS1123_SUBDOMAIN.match(value):
        raise ValidationError(
            "%(value)s is not a valid name: use at most 253 lower-case letters, digits, '-' and '.', "
            "starting and ending with a letter or digit.",
            params={"value": value},
        )


def validate_quantity(value: str) -> None:
    if not QUANTITY.match(value):
        raise ValidationError(
            "%(value)s is not a Kubernetes quantity: write a number with an optional unit, such as 500m, 2, 800Mi or 1Gi.",
            params={"value": value},
        )
