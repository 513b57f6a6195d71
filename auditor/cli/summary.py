"""One-paragraph human summary of a snapshot, for ``auditor check``."""

from __future__ import annotations

from auditor.model.snapshot import DeviceSnapshot


def summarize_snapshot(snapshot: DeviceSnapshot) -> str:
    """Counts of what was seen, so an admin can tell at a glance that collection worked."""
    trunks = [i for i in snapshot.interfaces if i.mode == "trunk"]
    access = [i for i in snapshot.interfaces if i.mode == "access"]
    system = snapshot.system
    sources = ",".join(source.value for source in snapshot.sources) or "-"
    lines = [
        f"{snapshot.device} [{sources}] {system.model or system.descr or ''}".rstrip(),
        (
            f"  interfaces {len(snapshot.interfaces)} (access {len(access)}, trunk {len(trunks)}), "
            f"VLANs {len(snapshot.vlans)}, FDB {len(snapshot.fdb)}, ARP {len(snapshot.arp)}, "
            f"neighbours {len(snapshot.neighbors)}, routes {len(snapshot.routes)}, "
            f"ACLs {len(snapshot.acls)}, firewall policies {len(snapshot.firewall_policies)}"
        ),
        f"  serial {system.serial or '-'}, uptime {_uptime(system.uptime_seconds)}",
    ]
    if snapshot.absent_tables:
        lines.append(f"  not implemented by the device: {', '.join(snapshot.absent_tables)}")
    return "\n".join(lines)


def _uptime(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    return f"{days}d {hours:02d}h{rest // 60:02d}m"
