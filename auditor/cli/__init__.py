"""The command line: one module per command group, mounted by ``app.build_app``."""
