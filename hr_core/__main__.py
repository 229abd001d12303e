"""`python -m hr_core` runs the command line."""

from hr_core.cli import main

raise SystemExit(main())
