"""Network-wide analysis over a run's snapshots: the network view and the zone matrix."""
