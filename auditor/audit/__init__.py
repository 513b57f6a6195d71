"""The audit service: the one path from inputs (policy, inventory, ledger) to recorded findings."""
