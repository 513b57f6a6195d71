"""Nightly report and auditors' exports, built from plain data read once from the store.

``data`` turns the store into :class:`~auditor.report.model.ReportData`; the renderers (``html``,
``exports``, ``bundle``) only ever see those dataclasses, so they can be tested without a database.
"""
