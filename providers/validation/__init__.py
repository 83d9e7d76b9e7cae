"""Validation: Rego policies per provider type turn each VM's inventory record into concerns.

- `policies/<package>/` — the default rules, one per file, each with a `_test.rego`
  (run by `opa test`), and `rules_version.rego`.
- `rules.py` — which modules make up a package: the defaults plus the admins' custom rules.
- `engines.py` — two back ends behind one interface: the real OPA server (production,
  settings.MTVWEB_OPA_URL) and in-process regopy (the embedded default).
- `check.py` — what a custom rule must pass before it is accepted.
- `validator.py` — finds the VMs whose record or rules changed and stores their concerns.
"""
