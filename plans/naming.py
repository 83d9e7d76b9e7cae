"""Target VM names (guide §2.4).

A VM name in OpenShift Virtualization has only lower-case letters, digits and '-', at most
253 characters, and starts and ends with a letter or digit. MTV renames VMs that break this:
it drops excluded characters, lower-cases capitals and turns '_' into '-'. We do the same,
and make the result distinct from names already taken in the target namespace.
"""

import re

MAX_LENGTH = 253
VALID = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
EXCLUDED = re.compile(r"[^a-z0-9-]")


def is_valid_name(name: str) -> bool:
    return len(name) <= MAX_LENGTH and bool(VALID.match(name))


def why_invalid(name: str) -> str:
    """What is wrong with a name, in words; empty when it is valid."""
    if not name:
        return "the name is empty"
    reasons = []
    if len(name) > MAX_LENGTH:
        reasons.append(f"it has {len(name)} characters (at most {MAX_LENGTH})")
    if any(c.isupper() for c in name):
        reasons.append("it has capital letters")
    if bad := sorted({c for c in name.lower() if EXCLUDED.match(c)}):
        reasons.append("it contains " + ", ".join(repr(c) for c in bad))
    if name[0] == "-" or name[-1] == "-":
        reasons.append("it starts or ends with '-'")
    return "; ".join(reasons)


def kubernetes_name(name: str, taken=frozenset()) -> str:
    """The automatic target name for a source VM name, distinct from the names in `taken`."""
    base = EXCLUDED.sub("", name.lower().replace("_", "-"))
    base = base[:MAX_LENGTH].strip("-") or "vm"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[:MAX_LENGTH - len(suffix)].rstrip("-") + suffix
    return candidate
