import sys

from lambda_kit.cli import main

sys.exit(main())
