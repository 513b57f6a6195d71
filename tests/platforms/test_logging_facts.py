"""HRD-021's logging facts beyond Cisco IOS: what each platform states, and what it leaves unknown.

Yamaha RTX: ``syslog notice on`` (off by default) with ``syslog info`` on (the default) means
logins are logged; no configuration-change switch is sourced, so that fact stays None.
FortiGate: ``config log eventfilter`` with ``set event enable`` and ``set system enable`` logs
administrator logins and configuration changes; without the block both stay None.
AW+, AX and IX have no sourced syntax: both facts stay None (not a pass, not a finding).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor.lab.cli_render import render
from auditor.platforms import fortinet, yamaha_rtx
from auditor.platforms.registry import profiles
from auditor.platforms.text_decode import decode_output
from tests.builders import example_city

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
LOGGING = {"management.login_logging", "management.config_change_logging"}

RTX_HEAD = "# RTX830 Rev.15.02.30 (Fri Oct 13 09:43:11 2023)\nsyslog host 10.99.0.10\n"


def _rtx(extra: str) -> tuple[bool | None, bool | None, list[str]]:
    config = yamaha_rtx.interpret_config(RTX_HEAD + extra, salt=b"s")
    m = config.management
    return m.login_logging, m.config_change_logging, config.unparsed


@pytest.mark.parametrize(
    ("extra", "login"),
    [
        ("", False),  # NOTICE is off by default
        ("syslog notice on\n", True),
        ("syslog notice on\nsyslog info off\n", False),
        ("syslog info on\n", False),
        ("syslog notice on\nsyslog notice off\n", False),
    ],
)
def test_yamaha_login_logging_is_syslog_notice_on(extra: str, login: bool) -> None:
    login_logging, change_logging, unparsed = _rtx(extra)
    assert login_logging is login
    assert change_logging is None  # not sourced: stays unknown
    assert not [line for line in unparsed if line.startswith("syslog")]


FGT_EVENTFILTER = """config log eventfilter
    set event {event}
    set system {system}
    set vpn enable
    set user enable
end
"""


@pytest.mark.parametrize(
    ("event", "system", "logged"),
    [("enable", "enable", True), ("enable", "disable", False), ("disable", "enable", False)],
)
def test_fortigate_eventfilter_system_events(event: str, system: str, logged: bool) -> None:
    parts, _ = fortinet.interpret_config(
        FGT_EVENTFILTER.format(event=event, system=system), salt=b"s"
    )
    assert parts.management.login_logging is logged
    assert parts.management.config_change_logging is logged
    assert not [line for line in parts.unparsed_config_lines if "eventfilter" in line]


def test_fortigate_without_the_eventfilter_block_does_not_say() -> None:
    parts, _ = fortinet.interpret_config(
        'config log syslogd setting\n    set status enable\n    set server "10.99.0.10"\nend\n',
        salt=b"s",
    )
    assert parts.management.syslog_hosts == ["10.99.0.10"]
    assert parts.management.login_logging is None
    assert parts.management.config_change_logging is None


def test_declared_logging_facts_per_platform() -> None:
    facts = {name: LOGGING & profile.facts for name, profile in profiles().items()}
    assert facts["cisco_ios"] == LOGGING
    assert facts["fortinet"] == LOGGING
    assert facts["yamaha_rtx"] == {"management.login_logging"}
    for name in ("allied_telesis_awplus", "alaxala_ax", "nec_ix"):
        assert facts[name] == set(), name


@pytest.mark.parametrize(
    ("device", "login", "change"),
    [
        ("shisho-rt1", False, None),  # planted: no ``syslog notice on``
        ("inet-rt1", True, None),
        ("inet-fw1", True, True),
        ("lg-core-sw1", False, True),  # the IOS plant
        ("myn-edge-sw1", None, None),  # AX: not sourced
        ("lg-edge-sw2", None, None),  # AW+: not sourced
        ("lg-rt1", None, None),  # IX: not sourced
    ],
)
def test_the_lab_renders_what_the_parsers_read_back(
    device: str, login: bool | None, change: bool | None
) -> None:
    scenario = example_city()
    lab = scenario.device(device)
    outputs = {
        command: decode_output(value).text if isinstance(value, bytes) else value
        for command, value in render(lab, scenario).items()
    }
    snapshot = profiles()[lab.platform].parse(outputs, salt=b"s").to_snapshot(device, NOW)
    assert snapshot.management.login_logging is login
    assert snapshot.management.config_change_logging is change
