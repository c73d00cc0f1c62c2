"""`python -m generator` runs the snapsite command."""

from generator.cli import main

main()
