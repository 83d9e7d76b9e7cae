"""python -m lab.guest — build (or find cached) the guest disks and print their directory."""

from lab.guest import build

print(build())
