import sys

from unified.cli.main import main

sys.exit(main())
