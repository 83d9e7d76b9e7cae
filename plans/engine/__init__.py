"""The migration engine (DESIGN.md "Engine").

A Migration is one run of a plan; each of its VMs walks a declarative pipeline of steps
(`pipeline.py`). A step handler is small and idempotent: it returns True when its work is
done, False to be called again later (a Pod still copying), or raises StepFailed with words
a user can act on. Each step's state, each disk's claim, Pod, bytes and hash, and what a step
must remember live on the MigrationVM, so a worker that dies is replaced by one that
continues where it stopped — finished disks are never copied again.

* `scheduler.tick()` admits waiting VMs under the concurrency limit and advances the others;
  `manage.py engine` calls it in a loop, tests call `scheduler.run(migration)`.
* `runner.advance(vm)` moves one VM as far as it can go now.
* `context.VMContext` is what a step sees: the plan, the source's `Operations` (from its
  adapter's `operations()`, the contract in `providers/adapters/source.py`), the target
  cluster's API (`providers.kube.cluster_api`), this round's controller settings, the records.
* `objects.py` builds the claims, Pods and the VirtualMachine.
"""
