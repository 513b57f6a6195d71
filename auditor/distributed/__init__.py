"""Collection beyond one machine: one-way bundles from isolated tiers, Celery workers per queue.

An I/O layer beside ``auditor.daemon``: it collects (through ``auditor.collect``), stores
(through ``auditor.store``) and audits only through the one audit service. See
``docs/distributed.md``.
"""
