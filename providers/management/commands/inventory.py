import signal
import threading

from django.core.management.base import BaseCommand

from providers.adapters.openshift.host import ensure_host_provider
from providers.inventory.service import InventoryService
from providers.validation.validator import ValidatorThread


class Command(BaseCommand):
    help = "Run the inventory service: keep every provider's inventory current until stopped."

    def handle(self, **options):
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        ensure_host_provider()  # the cluster mtvweb runs against is always a provider (as in Forklift)
        ValidatorThread(stop).start()
        InventoryService().run(stop)
