"""`python -m specbind`: the `specbind` command."""

from specbind.cli import main

main()
