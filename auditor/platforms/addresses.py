"""Address text a platform parser already normalized → typed networks for the snapshot.

Each parser turns its own vendor spelling (IOS ``host A`` / wildcard masks, Yamaha ``A-B`` and
comma lists, FortiGate address objects) into plain text first; this module makes networks of
that text so analysis never reads vendor syntax. ``0.0.0.0/0`` stands for any address.
"""

from __future__ import annotations

import ipaddress

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
ANY: tuple[Network, ...] = (ipaddress.IPv4Network("0.0.0.0/0"),)


def networks_of(text: str) -> list[Network] | None:
    """``any``, ``A``, ``A/len``, ``A-B`` or a comma list of those → networks; ``None`` = unknown.

    Unknown (an object name, a discontiguous wildcard) is never guessed: the caller stores
    ``None`` and analysis judges it as broad as it may be.
    """
    spec = text.strip()
    if spec.lower() in ("any", "all", "*", "0.0.0.0/0"):
        return list(ANY)
    networks: list[Network] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            return None
        try:
            if "-" in item and "/" not in item:
                first_text, last_text = item.split("-", 1)
                first = ipaddress.ip_address(first_text.strip())
                last = ipaddress.ip_address(last_text.strip())
                if first.version != last.version or int(first) > int(last):
                    return None
                networks.extend(ipaddress.summarize_address_range(first, last))
            else:
                networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            return None
    return networks or None


def network_with_mask(address: str, mask: str) -> Network | None:
    """``A`` with a netmask (``255.255.255.0``) as FortiGate ``set subnet`` writes it."""
    try:
        return ipaddress.ip_network(f"{address}/{mask}", strict=False)
    except ValueError:
        return None
