"""Notifications: which events reach which people, through an outbox that loses nothing.

Layering: ``notify`` sits beside ``daemon`` (the daemon and ``auditor notify`` call it). It reads
the model (findings, failures), the store's outbox and run records, and the report writers'
files; channels (``notify.channels``) are the only modules here that do network I/O. Nothing
below it (audit, analysis, checks, collect, platforms, model) imports it; a failing channel
reaches the checks as plain data (``auditor.model.notification.ChannelState``) through the run
request.

Flow: :mod:`~auditor.notify.detect` turns a run (or a daemon event) into :class:`Event` s;
:mod:`~auditor.notify.routing` applies the rules and quiet hours and writes one outbox row per
channel; :mod:`~auditor.notify.dispatch` delivers due rows with backoff, digests and rate limits,
and marks a row sent only after the server accepted it.
"""
