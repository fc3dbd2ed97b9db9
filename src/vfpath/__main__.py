"""``python -m vfpath`` runs the same command as ``vfpath``."""

from vfpath.cli import main

main()
