"""`python -m app` runs the console script."""

from app.cli import main

main()
