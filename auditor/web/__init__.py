"""The web console (``auditor web``): findings, evidence and triage in a browser.

An I/O layer like ``auditor.cli``: it reads the same store, renders server-side HTML (no
JavaScript, no outside URL) and records triage through the store's workflow functions.
"""
