"""Zone flows numbered without a sort match np.unique's numbering, in both key spaces."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.collect.pcap_vector import _dense_flows


@pytest.mark.parametrize("ports", [5, 65536])  # few ports: tables; every port: the sort
def test_dense_flow_numbers_are_np_unique_inverse(ports: int) -> None:
    rng = np.random.default_rng(3)
    count, zones = 50_000, 7
    client = rng.integers(0, zones, count)
    server = rng.integers(0, zones, count)
    protocol = rng.choice(np.array([1, 6, 17, 58, 47]), count)
    port = rng.integers(-1, ports, count) if ports < 65536 else rng.integers(-1, 65536, count)
    key = ((client * zones + server) * 256 + protocol) * 65537 + (port + 1)
    number, groups = _dense_flows(key, client * zones + server, protocol, port)
    unique, inverse = np.unique(key, return_inverse=True)
    assert groups == len(unique)
    assert np.array_equal(number, inverse.reshape(-1))
