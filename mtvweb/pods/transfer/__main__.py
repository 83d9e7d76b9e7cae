import sys

from mtvweb.pods.transfer.cli import main

sys.exit(main())
