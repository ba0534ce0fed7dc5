"""``python -m precis`` is the ``precis`` command."""

from precis.cli import main

main()
