"""`python -m snapsite` runs the snapsite command."""

from snapsite.cli import main

main()
