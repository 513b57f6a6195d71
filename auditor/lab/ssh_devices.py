"""Emulated device CLIs over real SSH (fakenos + paramiko) for the lab.

Each device gets its own NOS built from scratch: prompts, paging and privilege commands that
netmiko's driver for that platform sends during session preparation, and the command outputs
rendered from the scenario. fakenos' canned platform outputs are deliberately NOT used, so a
collector can never read data that is not in the scenario; unknown commands get the platform's
error line.

Shift_JIS: fakenos encodes everything it sends as UTF-8 (``shell_to_channel_tap`` in its paramiko
server). :func:`install_encoding_seam` replaces that module-level function with one that encodes
with the encoding of the listening port the session arrived on, so one process can serve a
Shift_JIS Yamaha next to UTF-8 devices.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from auditor.lab.scenario import Scenario, ScenarioDevice

SSH_PLATFORMS = frozenset(
    {"cisco_ios", "allied_telesis_awplus", "yamaha_rtx", "fortinet", "alaxala_ax", "nec_ix"}
)

NETMIKO_DEVICE_TYPES = {
    "cisco_ios": "cisco_ios",
    "allied_telesis_awplus": "allied_telesis_awplus",
    "yamaha_rtx": "yamaha",
    "fortinet": "fortinet",
    "alaxala_ax": "alaxala_ax36s",
    "nec_ix": "nec_ix",
}

_UNKNOWN_COMMAND = {
    "cisco_ios": "% Invalid input detected at '^' marker.",
    "allied_telesis_awplus": "% Invalid input detected at '^' marker.",
    "alaxala_ax": "% illegal parameter at '^' marker",  # real AX wording not found in sources
    "nec_ix": "% {token} -- Invalid command.",
    "yamaha_rtx": "エラー: コマンド名を確認してください",
    "fortinet": "Unknown action 0",
}

NEC_CONFIG_ONLY = ("show running-config", "terminal length 0", "terminal width 511")
"""NEC IX accepts these only in config mode (vendor-formats.md §2.1); at ``#`` they are errors."""
NEC_ENTER_CONFIG = "Enter configuration commands, one per line. End with CNTL/Z."
NEC_OCCUPIED = "% CONFIG process is occupied."


def error_line(device: ScenarioDevice, command: str) -> str:
    """The platform's answer to a command it does not know (or not in the current mode).

    NEC IX names the word it stopped at: the first word of an unknown command, the argument of
    a ``show``/``terminal`` that needs config mode.
    """
    words = command.split()
    token = words[0] if words else command
    if device.platform == "nec_ix" and command in NEC_CONFIG_ONLY and len(words) > 1:
        token = words[1]
    return _UNKNOWN_COMMAND[device.platform].format(token=token)


# port -> wire encoding, filled by install_encoding_seam(); read by the patched tap.
_PORT_ENCODINGS: dict[int, str] = {}
_SEAM_LOCK = threading.Lock()


def has_ssh(device: ScenarioDevice) -> bool:
    return device.ssh is not None and device.platform in SSH_PLATFORMS


def netmiko_device_type(device: ScenarioDevice) -> str:
    return NETMIKO_DEVICE_TYPES[device.platform]


def wire_encoding(device: ScenarioDevice) -> str:
    """The codec a device's CLI uses on the wire (Shift_JIS devices really send cp932)."""
    if device.ssh and device.ssh.encoding == "shift_jis":
        return "cp932"
    return "utf-8"


# --- command outputs ------------------------------------------------------------------------


def _fallback_outputs(device: ScenarioDevice) -> dict[str, str]:
    """Minimal outputs used until ``auditor.lab.cli_render`` exists (enough for lab tests)."""
    sys = device.sys
    version = "\n".join(
        line
        for line in (
            sys.descr,
            f"{device.name} uptime is {sys.uptime_seconds // 86400} days",
            f"Model: {sys.model}" if sys.model else "",
            f"Serial: {sys.serial}" if sys.serial else "",
            f"Version: {sys.os_version}" if sys.os_version else "",
        )
        if line
    )
    outputs = {"show version": version}
    if device.platform == "cisco_ios":
        lines = [f"hostname {device.name}", "!"]
        for port in device.ports:
            lines.append(f"interface {port.name}")
            if port.alias:
                lines.append(f" description {port.alias}")
            if port.mode == "access" and port.access_vlan:
                lines += [" switchport mode access", f" switchport access vlan {port.access_vlan}"]
            if port.mode == "trunk":
                allowed = ",".join(str(vlan) for vlan in port.allowed_vlans or [])
                lines += [" switchport mode trunk", f" switchport trunk allowed vlan {allowed}"]
            if not port.admin_up:
                lines.append(" shutdown")
            lines.append("!")
        lines.append("end")
        outputs["show running-config"] = "\n".join(lines)
    return outputs


def device_outputs(device: ScenarioDevice, scenario: Scenario) -> dict[str, str]:
    """Command → output for one device: the SSH engineer's renderer, else the fallback.

    ``cli_extra`` in the scenario overrides both, for one-off outputs a test needs verbatim.
    """
    render: Callable[[ScenarioDevice, Scenario], dict[str, str | bytes]] | None
    try:
        from auditor.lab import cli_render
    except ImportError:
        render = None
    else:
        render = getattr(cli_render, "render", None)
    rendered: dict[str, str | bytes] = (
        dict(render(device, scenario)) if render else dict(_fallback_outputs(device))
    )
    rendered.update(device.cli_extra)
    # Renderers may hand over bytes already in the device's console encoding (Shift_JIS).
    # fakenos only carries text, so bytes are decoded losslessly here (surrogateescape) and
    # turned back into the very same bytes by the encoding seam on the way out.
    encoding = wire_encoding(device)
    return {
        command: output.decode(encoding, "surrogateescape") if isinstance(output, bytes) else output
        for command, output in rendered.items()
    }


# --- NOS definitions -------------------------------------------------------------------------


def _prompts(device: ScenarioDevice) -> tuple[str, str, str]:
    """(user prompt, privileged prompt, config prompt) in fakenos ``{base_prompt}`` form."""
    if device.platform == "fortinet":
        return "{base_prompt} # ", "{base_prompt} # ", "{base_prompt} (global) # "
    quirks = device.ssh.quirks if device.ssh else None
    # ALAXALA AX puts "!" before the prompt while a configuration change is unsaved.
    lead = "!" if quirks and quirks.unsaved_changes else ""
    return f"{lead}{{base_prompt}}>", f"{lead}{{base_prompt}}#", f"{lead}{{base_prompt}}(config)#"


def _command(output: Any, prompt: str | list[str] | None = None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"output": output, "help": ""}
    if prompt is not None:
        entry["prompt"] = prompt
    entry.update(extra)
    return entry


def _ios_clock(skew_seconds: float) -> Callable[..., str]:
    """``show clock`` read at the moment it is asked (a static text would age with the lab)."""
    from auditor.lab.cli_render.cisco import render_clock

    def output(*_args: Any, **_kwargs: Any) -> str:
        return render_clock(skew_seconds)

    return output


def build_nos_dict(device: ScenarioDevice, scenario: Scenario) -> dict[str, Any]:
    """The fakenos NOS dictionary of one device (name ``lab-<device>``)."""
    assert device.ssh is not None
    user_prompt, enable_prompt, config_prompt = _prompts(device)
    password_prompt = "Password: "  # noqa: S105 - the prompt text, not a password
    # NEC IX administrators land at "#"; ALAXALA AX always starts at ">" (enable is documented
    # as the first step whether or not an enable password is set).
    privileged_login = device.platform in ("fortinet", "nec_ix") or (
        device.ssh.enable_secret is None and device.platform != "alaxala_ax"
    )
    initial = enable_prompt if privileged_login else user_prompt
    commands: dict[str, dict[str, Any]] = {
        "_default_": _command(error_line(device, "")),
        "terminal length 0": _command(""),
        "terminal width 511": _command(""),
        "terminal no monitor": _command(""),
        "set terminal pager disable": _command(""),
        "console lines infinity": _command(""),
        "console columns 200": _command(""),
        "console character ascii": _command(""),
        "console character ja.sjis": _command(""),
        "console character ja.utf8": _command(""),
    }

    def leave(_device: Any, **context: Any) -> Any:
        # "exit" leaves config mode first, like the real CLIs, and closes the session otherwise.
        if context.get("current_prompt", "").endswith(("(config)#", "(global) # ")):
            return {"output": None, "new_prompt": enable_prompt}
        return True

    commands["exit"] = _command(leave)
    commands["quit"] = _command(True)
    commands["logout"] = _command(True)
    commands["end"] = _command(None, new_prompt=enable_prompt)

    enable_command = {"yamaha_rtx": "administrator"}.get(device.platform, "enable")
    if not privileged_login and device.ssh.enable_secret is not None:
        commands[enable_command] = _command(None, user_prompt, new_prompt=password_prompt)
        commands[device.ssh.enable_secret] = _command(
            None, password_prompt, new_prompt=enable_prompt
        )
        commands["disable"] = _command(None, enable_prompt, new_prompt=user_prompt)
    elif not privileged_login:  # ALAXALA AX without an enable password: straight to "#"
        commands[enable_command] = _command(None, user_prompt, new_prompt=enable_prompt)
        commands["disable"] = _command(None, enable_prompt, new_prompt=user_prompt)
    else:
        commands[enable_command] = _command(None)
    if device.platform == "nec_ix":
        occupied = device.ssh.quirks.config_occupied
        for word in ("configure", "enable-config"):
            if occupied:
                commands[word] = _command(NEC_OCCUPIED, enable_prompt)
            else:
                commands[word] = _command(NEC_ENTER_CONFIG, enable_prompt, new_prompt=config_prompt)
        # svintr-config always wins: it takes config mode from whoever holds it.
        commands["svintr-config"] = _command(
            NEC_ENTER_CONFIG, enable_prompt, new_prompt=config_prompt
        )
    else:
        commands["configure terminal"] = _command(None, enable_prompt, new_prompt=config_prompt)
    if device.platform == "fortinet":
        version = f"Version: {device.sys.descr}"
        commands["get system status | grep Virtual"] = _command(
            "Virtual domain configuration: disable"
        )
        commands["get system status | grep Version"] = _command(version)
        commands["get system console"] = _command("output              : standard")
        commands["config global"] = _command(None, new_prompt=config_prompt)
    for command, output in device_outputs(device, scenario).items():
        commands[command] = _command(output)
    if device.platform == "cisco_ios":
        commands["show clock"] = _command(_ios_clock(device.management.clock_skew_seconds))
    if device.platform == "nec_ix":
        for command in NEC_CONFIG_ONLY:
            if command in commands:
                commands[command]["prompt"] = config_prompt
    if device.platform == "alaxala_ax" and "show running-config" in commands:
        commands["show running-config"]["prompt"] = [enable_prompt, config_prompt]
    return {"name": f"lab-{device.name}", "initial_prompt": initial, "commands": commands}


def collection_commands(device: ScenarioDevice, scenario: Scenario) -> frozenset[str]:
    """The rendered commands a collector reads (what a session cut counts)."""
    return frozenset(device_outputs(device, scenario))


def lab_shell_class(device: ScenarioDevice, scenario: Scenario) -> type:
    """fakenos' CMDShell with the device's error lines and session quirks.

    A session cut (``close_after_commands``) closes the SSH session when the next collection
    command arrives, optionally after half of its output, the way an ``exec-timeout`` shorter than
    the collection does on a real device.
    """
    from fakenos.plugins.shell.cmd_shell import CMDShell

    assert device.ssh is not None
    quirks = device.ssh.quirks
    collected = collection_commands(device, scenario)
    outputs = device_outputs(device, scenario)

    class LabShell(CMDShell):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.served = 0

        def default(self, line: str) -> bool:
            line = line.strip()
            limit = quirks.close_after_commands
            if limit is not None and line in collected:
                if self.served >= limit:
                    if quirks.close_partial:
                        lines = outputs.get(line, "").splitlines()
                        self.writeline("\n".join(lines[: max(1, len(lines) // 2)]))
                    self._drain()
                    return True
                self.served += 1
            data = self.commands.get(line)
            if data is None or not self._check_prompt(data.get("prompt")):
                self.writeline(error_line(device, line))
                return False
            result: bool = super().default(line)
            return result

        def _drain(self) -> None:
            """Let the output tap send what is queued before the session is closed."""
            deadline = time.monotonic() + 5
            while getattr(self.stdout, "lines", None) and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)  # the tap may still be writing the last line it took

    LabShell.__name__ = f"LabShell_{device.name}"
    return LabShell


# --- the Shift_JIS seam ---------------------------------------------------------------------


def _encode(text: str, encoding: str) -> bytes:
    try:
        return text.encode(encoding, "surrogateescape")
    except UnicodeEncodeError:
        return text.encode(encoding, "replace")


def _encoding_aware_tap(
    channel_stdio: Any, shell_stdout: Any, shell_replied_event: Any, run_srv: Any
) -> None:
    """Send shell output lines to the SSH channel in the listening port's encoding."""
    try:
        port = channel_stdio.channel.get_transport().sock.getsockname()[1]
    except (AttributeError, OSError):
        port = 0
    encoding = _PORT_ENCODINGS.get(port, "utf-8")
    while run_srv.is_set() and not channel_stdio.closed:
        line = shell_stdout.readline()
        if line is None:
            break
        if "\n" in line and "\r\n" not in line:
            line = line.replace("\n", "\r\n")
        try:
            channel_stdio.write(_encode(line, encoding))
        except (OSError, EOFError):
            break
        shell_replied_event.set()


def install_encoding_seam(port_encodings: dict[int, str]) -> None:
    """Make fakenos' paramiko server encode output per listening port (idempotent)."""
    from fakenos.plugins.servers import ssh_server_paramiko

    with _SEAM_LOCK:
        _PORT_ENCODINGS.update(port_encodings)
        tap: Callable[..., None] = _encoding_aware_tap
        ssh_server_paramiko.shell_to_channel_tap = tap


def silence_fakenos_logging() -> None:
    """fakenos and paramiko log every session at WARNING/ERROR; the lab keeps them quiet."""
    for name in ("fakenos", "paramiko"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False


# --- running servers -------------------------------------------------------------------------


def build_fakenos(scenario: Scenario, ports: dict[str, int], host: str = "127.0.0.1") -> Any:
    """A FakeNOS object serving ``ports`` (device name → TCP port); call ``.start()``/``.stop()``."""
    from fakenos import FakeNOS
    from fakenos.core.nos import Nos

    silence_fakenos_logging()
    plugins = []
    hosts: dict[str, dict[str, Any]] = {}
    encodings: dict[int, str] = {}
    for name, port in ports.items():
        device = scenario.device(name)
        if not has_ssh(device):
            raise ValueError(f"{name} has no SSH CLI in the scenario")
        assert device.ssh is not None
        nos = Nos()
        nos.from_dict(build_nos_dict(device, scenario))
        plugins.append(nos)
        banner = device.management.banner or "Authorized access only"
        hosts[name] = {
            "port": port,
            "username": device.ssh.username,
            "password": device.ssh.password,
            "server": {
                "plugin": "ParamikoSshServer",
                "configuration": {"address": host, "timeout": 1, "ssh_banner": banner},
            },
            "shell": {
                "plugin": "CMDShell",
                "configuration": {
                    "intro": device.ssh.quirks.login_banner or "",
                    "base_prompt": "" if device.ssh.quirks.no_hostname else name,
                },
            },
            "nos": {"plugin": nos.name},
        }
        encodings[port] = wire_encoding(device)
    install_encoding_seam(encodings)
    network = FakeNOS(inventory={"hosts": hosts}, plugins=plugins)
    # Each host gets its own shell class (error lines, quirks); fakenos resolves the plug-in by
    # name when a host starts, after validating the inventory.
    for name in ports:
        key = f"lab-shell-{name}"
        network.shell_plugins[key] = lab_shell_class(scenario.device(name), scenario)
        network.hosts[name].shell_inventory["plugin"] = key
    return network
