import os
import subprocess
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start, stop or show the local lab (python -m lab): a kube-apiserver, vcsim and the other sources."

    def add_arguments(self, parser):
        parser.add_argument("command", choices=["up", "down", "status"])
        parser.add_argument("--parts", default=None)

    def handle(self, command, parts, **options):
        # The lab is a separate program that shares no code with mtvweb, so run it as one.
        argv = [sys.executable, "-m", "lab", command] + (["--parts", parts] if parts else [])
        sys.exit(subprocess.call(argv, cwd=settings.BASE_DIR, env=os.environ.copy()))
