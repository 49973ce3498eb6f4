"""``python -m imgcourse`` runs the command line."""

from imgcourse.cli import main

raise SystemExit(main())
