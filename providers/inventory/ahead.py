"""Run a generator in a thread of its own, a few chunks ahead of its consumer.

A full load reads the source (network waits, decoding) while the store writes what came
before; the two overlap instead of taking turns.
"""

import queue
import threading
from itertools import islice

DONE = object()


def ahead(iterable, chunk: int = 500, depth: int = 4):
    chunks: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce():
        try:
            it = iter(iterable)
            while not stop.is_set() and (items := list(islice(it, chunk))):
                chunks.put(items)
            chunks.put(DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which re-raises it
            chunks.put(exc)

    thread = threading.Thread(target=produce, name="inventory-read-ahead", daemon=True)
    thread.start()
    try:
        while (items := chunks.get()) is not DONE:
            if isinstance(items, BaseException):
                raise items
            yield from items
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            try:
                chunks.get_nowait()
            except queue.Empty:
                thread.join(0.05)
