"""manage.py engine — run the migration engine: admit and advance every active migration, and
keep every plan's Ready / Not ready status current. Several may run on one Postgres database
(they share the VMs through their leases); on SQLite a second one waits for the first to stop."""

import signal
import threading

from django.core.management.base import BaseCommand

from plans import status
from plans.engine import lease, scheduler


class Command(BaseCommand):
    help = "Run the migration engine until stopped (Ctrl-C)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between rounds")
        parser.add_argument("--threads", type=int, default=8,
                            help="VMs advanced at once, so a slow source call holds up only its VM (8)")
        parser.add_argument("--max-vms", type=int, default=0,
                            help="VMs this engine holds at once, leaving the others to other engines (0: any)")

    def say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()  # read by whoever waits for it (the tests, a supervisor's log)

    def handle(self, *args, interval, threads, max_vms, **options):
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        with lease.sole_engine(stop, self.say):
            if stop.is_set():
                return
            workers = scheduler.Workers(max(threads, 1))
            status.StatusThread(stop).start()
            self.say(f"engine running as {lease.HOLDER}")
            try:
                while not stop.is_set():
                    try:
                        scheduler.tick(workers, most=max_vms)
                    except Exception as exc:  # noqa: BLE001 - keep the engine alive; the error is logged
                        self.stderr.write(f"engine round failed: {exc}")
                    stop.wait(interval)
            finally:
                workers.shutdown()
                lease.release_all(lease.HOLDER)  # another engine need not wait for the lease to run out
