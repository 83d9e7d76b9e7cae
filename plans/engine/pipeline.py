"""The per-VM pipelines, as data: a step's name, its title for the console, the handler, and
when it applies. A cold migration (guide §1.3): hooks around it, the source stopped, its
disks copied into new claims, the guest converted where the source needs it, the
VirtualMachine created, the power state restored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from plans.engine import steps_disks, steps_setup, steps_vm
from plans.engine.context import VMContext


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    handler: Callable[[VMContext], bool]
    applies: Callable[[VMContext], bool] = lambda ctx: True
    # Why a step that would apply is left out by the plan's own choice ("" when it is not): said in
    # the VM's log and kept on the step, so the skip is visible.
    declined: Callable[[VMContext], str] = lambda ctx: ""


COLD = [
    Step("Initialize", "Initialize", steps_setup.initialize),
    Step("PreHook", "Pre-migration hook", steps_setup.pre_hook, steps_setup.has_hook("PreHook")),
    Step("StorePowerState", "Store the power state", steps_setup.store_power_state),
    Step("PowerOff", "Power off the source", steps_setup.power_off),
    Step("AllocateDisks", "Allocate disks", steps_disks.allocate),
    Step("CopyDisks", "Copy disks", steps_disks.copy),
    Step("ConvertGuest", "Convert the guest", steps_vm.convert, steps_vm.needs_conversion, steps_vm.conversion_declined),
    Step("CreateVM", "Create the VirtualMachine", steps_vm.create),
    Step("PostHook", "Post-migration hook", steps_setup.post_hook, steps_setup.has_hook("PostHook")),
    Step("RestorePowerState", "Restore the power state", steps_vm.restore_power),
    Step("Completed", "Completed", steps_vm.complete),
]


def pipeline_for(plan) -> list[Step]:
    return COLD
