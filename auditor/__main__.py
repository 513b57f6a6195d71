"""``python -m auditor`` runs the CLI."""

from auditor.cli.app import main

main()
