"""The plan wizard (guide §4.7): one page per step, every choice kept server-side in a
WizardState so back, forward and reload never lose anything.

* `steps.py` — the steps in order; each reads its part of the form, checks it and says what to fix.
* `state.py` — the choices as plain data: load from a plan (editing), the draft the plan checks
  read, and the saved plan at the end (`finish()`).
* `vms.py` — the VM step's filters and selection.
* `views.py` / `urls.py` — the pages: `plans:wizard_new`, `plans:wizard_edit`, `plans:wizard_step`.
"""
