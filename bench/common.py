"""Shared by the benchmarks: Django on a fresh database, the lab, timing."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup_django():
    """Django on the database DATABASE_URL names (scripts/bench starts a Postgres), else a temporary SQLite."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mtvweb.settings")
    os.environ.setdefault("MTVWEB_DATA_DIR", tempfile.mkdtemp(prefix="mtvweb-bench-"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def lab_up(part: str, lab_dir: str | None = None, **options) -> dict:
    argv = [sys.executable, "-m", "lab", "up", "--parts", part]
    for key, value in options.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    env = {**os.environ, **({"MTVWEB_LAB_DIR": lab_dir} if lab_dir else {})}
    out = subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True, env=env)
    return json.loads(Path(out.stdout.strip().splitlines()[-1]).read_text())[part]


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


def median_ms(fn, runs=7) -> float:
    samples = []
    for _ in range(runs):
        _, seconds = timed(fn)
        samples.append(seconds * 1000)
    return statistics.median(samples)


def report(rows):
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>12}  {note}")

