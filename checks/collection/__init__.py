"""COL-…: devices the auditor could not collect. A collection failure is an ERROR finding, never a
silent pass (the device's other checks would otherwise look compliant)."""
