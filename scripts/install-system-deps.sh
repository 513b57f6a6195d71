#!/usr/bin/env bash
# Debian packages the lab, the tests and the benchmarks need. Idempotent: installs only what is
# missing, and runs `apt-get update` only when something is. One package per line so several
# people can add lines without conflicts.
set -euo pipefail

packages=(
  chromium        # headless browser the report test opens the HTML report in
  fonts-noto-cjk  # Japanese fonts for the PDF report (WeasyPrint) and the report screenshots
  poppler-utils   # pdftoppm renders the PDF report's first page in the report tests
  snmp            # net-snmp CLI (snmpbulkwalk) used by the lab tests and the SNMP benchmark
  snmpd           # net-snmp agent, a real SNMP agent the collector tests poll
  postgresql      # a real PostgreSQL server for the store tests
  iproute2        # ip netns for traffic and probe tests
  tshark          # the pcap benchmark's reference (bench/pcap.py); setuid dumpcap preseeded off
  nftables        # the router namespace of the traffic/probe lab (auditor lab netns)
  openssh-server  # a real sshd the SSH collector tests use as a jump host (stopped below)
  rsyslog         # a real syslog receiver (RFC 5424 over TCP) for the notification tests
  rsyslog-gnutls  # rsyslog's TLS driver (RFC 5425) for the notification tests
  redis-server    # the Celery broker of distributed collection (tests start their own; stopped below)
  rabbitmq-server # the other supported Celery broker (tests start a private node; stopped below)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
else
  sudo_cmd=()
fi
echo "installing Debian packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer "no" before installing it.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo_cmd[@]}" debconf-set-selections
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts the packaged snmpd on port 161; the tests run their own agents on loopback ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet snmpd 2>/dev/null; then
  "${sudo_cmd[@]}" systemctl stop snmpd || true
fi
# Debian starts the packaged sshd on port 22; the jump-host tests run their own sshd on loopback.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet ssh 2>/dev/null; then
  "${sudo_cmd[@]}" systemctl stop ssh || true
fi
# Debian starts the packaged rsyslog; the notification tests run their own rsyslogd on loopback.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet rsyslog 2>/dev/null; then
  "${sudo_cmd[@]}" systemctl stop rsyslog || true
fi
# Debian starts the packaged redis-server on port 6379; the tests start their own on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  "${sudo_cmd[@]}" systemctl stop redis-server || true
fi
# Debian enables rabbitmq-server (and its epmd) as a service; where policy-rc.d allows starting
# services it runs on port 5672. The tests start a private node with its own epmd on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet rabbitmq-server 2>/dev/null; then
  "${sudo_cmd[@]}" systemctl stop rabbitmq-server || true
fi
