"""Mutation testing of the pure core: python bench/mutants.py [--module X] [--list] [--jobs N] [--sample N]

Each mutant is one small wrong change to a module (bench/mutations.py says which). It is written
into a throw-away copy of the tree under /tmp, never into the checkout, and the tests mapped to
that module run against it (pytest -x, the embedded SQLite settings, no lab, no browser). A test
that fails kills the mutant; a mutant every test lets through survived: a bug of that shape
would reach users unnoticed. A run that outlives its time limit counts as killed (the tests
noticed something) but is reported apart. Goal: at least 90 % killed. Exit status 0: a report.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import queue
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from mutations import Mutant, find

ROOT = Path(__file__).resolve().parents[1]
GOAL = 0.90

# Module (path from the root) → the tests that must catch its mutants, fastest first (pytest -x
# stops at the first failure), and optionally which functions to mutate (qualified names;
# default: the whole module). Edit freely when modules move.
KILLED_POD = "tests/pods/test_transfer.py::test_resume_after_a_killed_run_reads_only_the_rest"
MODULES = {
    "plans/naming.py": {"tests": ["tests/test_naming.py"]},
    "plans/checks.py": {"tests": ["tests/test_capacity_checks.py", "tests/plans/test_checks.py"]},
    "mappings/defaults.py": {"tests": ["tests/mappings/test_defaults.py"]},
    "mtvweb/access.py": {"tests": ["tests/test_access_rules.py", "tests/test_access.py"]},
    "mtvweb/pods/transfer/blocks.py": {"tests": ["tests/pods/test_copy.py"]},
    # test_copy.py runs the copy in process. Of test_transfer.py (20 s, the Pod's process) only the test of
    # --stop-after-chunks killed a mutant test_copy.py lets through, when we measured.
    "mtvweb/pods/transfer/copy.py": {"tests": ["tests/pods/test_copy.py", KILLED_POD]},
    "mtvweb/pods/transfer/checkpoint.py": {"tests": ["tests/pods/test_copy.py", KILLED_POD]},
    "plans/engine/scheduler.py": {"tests": ["tests/plans/test_scheduler.py"],
                                  "functions": ["hosts_of", "admit", "finish", "cancel_requested", "undo_canceled"]},
    "plans/actions.py": {"tests": ["tests/plans/test_actions.py", "tests/plans/test_api.py"]},
}
COPY_IGNORE = shutil.ignore_patterns(".git", "node_modules", "var", "__pycache__", ".pytest_cache", ".ruff_cache",
                                     "test-results", "*.sqlite3")


def mutants_of(path: str, functions: list[str] | None) -> list[Mutant]:
    found = find(path, (ROOT / path).read_bytes())
    if functions:
        found = [m for m in found if m.function in functions or m.function.split(".")[-1] in functions]
    return found


def sample(mutants: list[Mutant], limit: int | None) -> list[Mutant]:
    """At most `limit` mutants, the same ones every run (chosen by a hash of where and what)."""
    if not limit or len(mutants) <= limit:
        return mutants
    chosen = sorted(mutants, key=lambda m: hashlib.blake2b(m.key.encode(), digest_size=8).digest())[:limit]
    return sorted(chosen, key=lambda m: (m.start, m.description))


class Worker:
    """A copy of the tree of its own, with its own data directory (the SQLite test database,
    created by its first run and reused by the next ones: pytest --reuse-db), and a zygote
    (bench/zygote.py) that starts each pytest run with the third-party imports already done."""

    def __init__(self, base: Path, number: int):
        self.tree = base / f"tree-{number}"
        shutil.copytree(ROOT, self.tree, ignore=COPY_IGNORE, symlinks=True)
        self.output = base / f"output-{number}.txt"
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DATABASE_URL", "REDIS_URL", "MTVWEB_OPA_URL", "PYTHONPATH")}
        self.env.update(PYTHONPATH=str(self.tree), PYTHONDONTWRITEBYTECODE="1", DJANGO_SETTINGS_MODULE="mtvweb.settings",
                        MTVWEB_DATA_DIR=str(base / f"data-{number}"))
        self.zygote = subprocess.Popen(
            [sys.executable, "-c", f"import sys; sys.path.insert(1, {str(ROOT / 'bench')!r}); import zygote; zygote.serve()"],
            cwd=self.tree, env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.pending, self.child = b"", 0

    def check_imports(self) -> None:
        """The copy, not the checkout (an editable install points there), is what the tests import."""
        out = subprocess.run([sys.executable, "-c", "import plans, mtvweb; print(plans.__file__, mtvweb.__file__)"],
                             cwd=self.tree, env=self.env, capture_output=True, text=True, check=True).stdout
        if any(not p.startswith(str(self.tree)) for p in out.split()):
            raise SystemExit(f"the copy's tests would import {out.strip()}, not {self.tree}")

    def answer(self, timeout: float | None) -> dict | None:
        """The zygote's next line, or None when `timeout` seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.pending:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0 or not select.select([self.zygote.stdout], [], [], left)[0]:
                return None
            data = os.read(self.zygote.stdout.fileno(), 4096)
            if not data:
                raise RuntimeError(f"the zygote of {self.tree} ended (exit status {self.zygote.wait()})")
            self.pending += data
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line)

    def run(self, tests: list[str], timeout: float, mutant: Mutant | None = None) -> tuple[str, float, str]:
        """("killed" | "survived" | "timeout" | "error", seconds, the output's last line)."""
        target = self.tree / mutant.path if mutant else None
        original = target.read_bytes() if target else b""
        began = time.monotonic()
        args = ["-x", "-q", "-p", "no:cacheprovider", "--reuse-db", "-m", "not lab and not browser",
                "-W", "ignore::pytest.PytestAssertRewriteWarning", *tests]  # preloaded plugins: not rewritten
        try:
            if target:
                target.write_bytes(mutant.apply(original))
            self.zygote.stdin.write((json.dumps({"args": args, "output": str(self.output)}) + "\n").encode())
            self.child = self.answer(None)["pid"]
            ended = self.answer(timeout)
            self.kill()  # whatever the tests started and left running
            if ended is None:
                self.answer(None)
                return "timeout", time.monotonic() - began, ""
        finally:
            self.child = 0
            if target:
                target.write_bytes(original)
        tail = self.output.read_text(errors="replace").strip().splitlines()[-1:] or [""]
        outcome = {0: "survived", 1: "killed", 2: "killed", 3: "killed"}.get(ended["status"], "error")
        return outcome, time.monotonic() - began, tail[0]

    def kill(self) -> None:
        if self.child:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.child, signal.SIGKILL)

    def close(self) -> None:
        self.kill()
        self.zygote.stdin.close()
        try:
            self.zygote.wait(10)
        except subprocess.TimeoutExpired:
            self.zygote.kill()


class Run:
    """The mutants of the chosen modules, tested `jobs` at a time, one worker (tree) each."""

    def __init__(self, jobs: int):
        self.base = Path(tempfile.mkdtemp(prefix="mtvweb-mutants-"))
        self.workers = [Worker(self.base, n) for n in range(max(jobs, 1))]
        self.workers[0].check_imports()
        self.idle = queue.Queue()
        for worker in self.workers:
            self.idle.put(worker)
        self.stopping = threading.Event()

    def close(self) -> None:
        self.stopping.set()
        for worker in self.workers:
            worker.close()
        shutil.rmtree(self.base, ignore_errors=True)

    def on(self, tests, timeout, mutant=None):
        worker = self.idle.get()
        try:
            if self.stopping.is_set():
                return "error", 0.0, "stopped"
            return worker.run(tests, timeout, mutant)
        finally:
            self.idle.put(worker)

    def module(self, path: str, config: dict, mutants: list[Mutant]) -> dict:
        tests = [t.split("::")[0] for t in config["tests"]]
        present = [t for t, file in zip(config["tests"], tests, strict=True) if (ROOT / file).exists()]
        if len(present) < len(tests):
            print(f"{path}: tests missing, not run: {', '.join(sorted(set(config['tests']) - set(present)))}",
                  flush=True)
        if not present:
            return {"path": path, "results": [], "skipped": True}
        outcome, seconds, tail = self.on(present, timeout=900)
        if outcome != "survived":
            print(f"{path}: skipped, its tests fail without any mutant ({tail})", flush=True)
            return {"path": path, "results": [], "skipped": True}
        timeout = 3 * seconds + 30
        print(f"{path}: {len(mutants)} mutants; its tests take {seconds:.1f} s unmutated (limit {timeout:.0f} s)",
              flush=True)
        results, survived = {}, 0
        with ThreadPoolExecutor(len(self.workers)) as pool:
            futures = {pool.submit(self.on, present, timeout, m): i for i, m in enumerate(mutants)}
            try:
                for future in as_completed(futures):
                    index = futures[future]
                    results[index] = (mutants[index], *future.result())
                    survived += results[index][1] == "survived"
                    if len(results) % 25 == 0 and len(results) < len(mutants):
                        print(f"  … {len(results)}/{len(mutants)} tested, {survived} survived so far", flush=True)
            except BaseException:
                self.stopping.set()
                for worker in self.workers:
                    worker.kill()
                pool.shutdown(wait=True, cancel_futures=True)
                raise
        return {"path": path, "results": [results[i] for i in range(len(mutants))], "skipped": False}


def report(modules: list[dict], seconds: float, cpu: float) -> None:
    total = killed = 0
    print()
    for module in modules:
        results = module["results"]
        if module["skipped"]:
            print(f"{module['path']:<38} not tested")
            continue
        counts = {k: sum(1 for r in results if r[1] == k) for k in ("killed", "survived", "timeout", "error")}
        caught = counts["killed"] + counts["timeout"]
        total, killed = total + len(results), killed + caught
        share = caught / len(results) if results else 1.0
        print(f"{module['path']:<38} killed {caught:>3}/{len(results):<3} ({share:6.1%})"
              f"  timed out {counts['timeout']}  errors {counts['error']}")
        for mutant, outcome, _, tail in results:
            if outcome in ("survived", "error"):
                where = f"{mutant.path}:{mutant.line}"
                scope = f"  in {mutant.function}" if mutant.function else ""
                print(f"    {outcome:<8} {where:<42} {mutant.description}{scope}"
                      f"{'  (' + tail + ')' if outcome == 'error' else ''}")
    score = killed / total if total else 1.0
    print(f"\noverall: {killed}/{total} mutants killed ({score:.1%}, timeouts count as killed); goal ≥ {GOAL:.0%} "
          f"({'met' if score >= GOAL else 'not met'})")
    print(f"took {seconds / 60:.1f} min, {cpu / 60:.1f} min of CPU in the test runs")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", help="only the modules whose path contains this")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--sample", type=int, default=None,
                        help="at most this many mutants per module, the same ones every run")
    args = parser.parse_args(argv)
    chosen = {path: config for path, config in MODULES.items() if not args.module or args.module in path}
    if not chosen:
        parser.error(f"no module matches {args.module!r}; they are: {', '.join(MODULES)}")
    found = {path: mutants_of(path, config.get("functions")) for path, config in chosen.items()}
    planned = {path: sample(mutants, args.sample) for path, mutants in found.items()}
    if args.list:
        for path, mutants in planned.items():
            print(f"{path}: {len(mutants)} mutants")
            for m in mutants:
                print(f"  {m.path}:{m.line:<5} {m.description:<28} {m.function:<28} → {m.replacement[:60]}")
        return 0
    count, everything = sum(map(len, planned.values())), sum(map(len, found.values()))
    print(f"mutation testing: {count} mutants{f' (a sample of {everything})' if count < everything else ''} in "
          f"{len(planned)} modules, {args.jobs} at a time; goal ≥ {GOAL:.0%} killed", flush=True)
    began, cpu = time.monotonic(), children_cpu()
    signal.signal(signal.SIGTERM, interrupt)
    run, done, stopped = Run(args.jobs), [], False
    try:
        for path, mutants in planned.items():
            done.append(run.module(path, chosen[path], mutants))
    except KeyboardInterrupt:
        stopped = True
    finally:
        run.close()  # the zygotes end here: their children's CPU time counts from now on
    if stopped:
        print("\nstopped: the modules finished so far", flush=True)
    report(done, time.monotonic() - began, children_cpu() - cpu)
    return 130 if stopped else 0


def interrupt(number, frame):
    raise KeyboardInterrupt


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())
