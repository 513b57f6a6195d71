"""Vendor-neutral data: the normalized snapshot and findings. No I/O, no vendor words."""
