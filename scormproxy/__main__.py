"""Entry point of `python -m scormproxy`."""
import sys

from .cli import main

sys.exit(main())
