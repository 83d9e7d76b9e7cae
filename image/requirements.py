"""Print the project's run-time Python requirements (pyproject.toml's [project] dependencies), one a line.

The image's venv gets exactly these; the project itself is not installed there but found on
PYTHONPATH=/app (copied in by the Dockerfile, bound read-only by the lab).
"""

import sys
import tomllib

with open(sys.argv[1], "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["dependencies"]))
