"""`lab up` / `lab down`: background processes that `lab down` stops exactly, leaving nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.lab.runner import LabError, bound_ports, lab_down, lab_status, lab_up, read_state

pytestmark = pytest.mark.lab


def _exists(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def test_lab_down_leaves_no_process_no_bound_port_and_no_state(tmp_path: Path) -> None:
    state_dir = tmp_path / "lab"
    (tmp_path / "keep.txt").write_text("not the lab's", encoding="utf-8")
    state = lab_up(None, state_dir)
    try:
        assert all(_exists(pid) for pid in state.pids())
        assert lab_status(state_dir)["running"] is True
        with pytest.raises(LabError):
            lab_up(None, state_dir)  # one lab per state directory
    finally:
        stopped = lab_down(state_dir)
    assert stopped is not None and stopped.pids() == state.pids()
    assert not any(_exists(pid) for pid in state.pids())
    assert bound_ports(state.udp_ports(), state.tcp_ports()) == []
    assert not state_dir.exists()
    assert (tmp_path / "keep.txt").exists()
    assert read_state(state_dir) is None
    assert lab_down(state_dir) is None


def test_a_synthetic_city_comes_up_with_a_bounded_number_of_ssh_devices(tmp_path: Path) -> None:
    state_dir = tmp_path / "scale"
    state = lab_up(None, state_dir, devices=30, ssh_devices=5)
    try:
        assert len(state.devices) == 30
        assert sum(1 for device in state.devices.values() if device.ssh_port) == 5
        assert os.path.exists(state.inventory_file)
    finally:
        lab_down(state_dir)
    assert not state_dir.exists()
