#!/usr/bin/env python
"""Django's command-line utility; `safehub` is the friendlier front to the same commands."""

import sys

from safehub.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
