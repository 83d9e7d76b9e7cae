"""manage.py engine — run the migration engine: admit and advance every active migration, and
keep every plan's Ready / Not ready status current."""

import signal
import threading

from django.core.management.base import BaseCommand

from plans import status
from plans.engine import scheduler


class Command(BaseCommand):
    help = "Run the migration engine until stopped (Ctrl-C)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")
        parser.add_argument("--threads", type=int, default=8,
                            help="VMs advanced at once, so a slow source call holds up only its VM (8)")

    def handle(self, *args, interval, threads, **options):
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        workers = scheduler.Workers(max(threads, 1))
        status.StatusThread(stop).start()
        self.stdout.write("engine running")
        try:
            while not stop.is_set():
                try:
                    scheduler.tick(workers)
                except Exception as exc:  # noqa: BLE001 - keep the engine alive; the error is logged
                    self.stderr.write(f"engine round failed: {exc}")
                stop.wait(interval)
        finally:
            workers.shutdown()
