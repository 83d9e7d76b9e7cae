from providers.models.host import Host
from providers.models.inventory import InventoryObject, VirtualMachine
from providers.models.provider import Provider
from providers.models.secret import Secret
from providers.models.validation import RuleSet, ValidationRule

__all__ = ["Host", "InventoryObject", "Provider", "RuleSet", "Secret", "ValidationRule", "VirtualMachine"]
