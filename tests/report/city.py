"""A populated store for report tests: the example city's policy, runs over ten days, planted traps.

Traps: an ifAlias ``<script>`` (HTML escaping), a formula-like subject (CSV/XLSX injection), a
community string in a message (redaction), characters cp932 cannot hold, a collection error (device
not reached), a policy exception and a manual suppression (suppressed section, expiry notice).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from auditor.model.findings import EvidenceRef, Finding, Outcome, Reference, Severity
from auditor.model.snapshot import DeviceSnapshot
from auditor.policy.loader import load_policy
from auditor.policy.models import Policy, PolicyException, Selector
from auditor.store import Store
from auditor.store.manual import suppress_finding

REPO = Path(__file__).resolve().parents[2]
POLICY_DIR = REPO / "policies" / "example-city"
PLANTED_SECRET = "citysecret42"
SCRIPT_ALIAS = "<script>alert('kyojin')</script>"
FORMULA_SUBJECT = '=HYPERLINK("http://198.51.100.7/x","open")'
NOT_CP932 = "𠮷田課の端末 🔥"

DEVICES = {
    "core-sw1": "management",
    "mn-sw1": "mynumber",
    "lg-sw1": "lgwan",
    "inet-fw1": "internet",
    "edu-sw1": "education",
    "wifi-ap1": "public-wifi",
    "san-relay1": "sanitizer",
}
RUNNING_CONFIG = (
    b"hostname core-sw1\n"
    b"snmp-server community <redacted:sha256:0123456789ab> RO\n"
    b"line vty 0 4\n transport input telnet\n"
)
CONFIG_BEFORE = "hostname core-sw1\nline vty 0 4\n transport input ssh\n"
CONFIG_AFTER = (
    "hostname core-sw1\nsnmp-server community <redacted:sha256:0123456789ab> RO\n"
    "line vty 0 4\n transport input telnet\n"
)
WALK = b".1.3.6.1.2.1.1.5.0 = STRING: core-sw1\n"


def _ref(kind: str, key: str) -> Reference:
    return Reference(kind=kind, key=key)  # type: ignore[arg-type]


def make(
    check_id: str,
    device: str | None,
    subject: str,
    severity: Severity,
    *,
    zone: str | None = None,
    message: str | None = None,
    refs: tuple[Reference, ...] = (),
    outcome: Outcome = Outcome.FAIL,
    evidence: tuple[EvidenceRef, ...] = (),
) -> Finding:
    text = message or f"{device or 'network'}: {subject} violates {check_id}"
    return Finding(
        check_id=check_id,
        outcome=outcome,
        severity=severity,
        device=device,
        subject=subject,
        zone=zone or (DEVICES.get(device or "") if device else None),
        message_en=text,
        message_ja=f"{text}(日本語)",
        evidence=list(evidence),
        references=list(refs),
    )


SEPARATION = (_ref("guideline", "通信回線及び通信回線装置の管理"), _ref("plan", "4-1-2"))
HARDENING = (
    _ref("guideline", "ID及びパスワード等の管理"),
    _ref("plan", "4-1-4"),
    _ref("cis", "1.1"),
)
MONITORING = (_ref("guideline", "ログの取得等"), _ref("plan", "4-2-2"))
WIFI = (_ref("guideline", "無線LAN及びネットワークの盗聴対策"), _ref("plan", "4-3-3"))
LEDGER = (_ref("guideline", "情報資産の分類と管理"), _ref("plan", "4-1-5"))

CONFIG_SHA = hashlib.sha256(RUNNING_CONFIG).hexdigest()

SEG = make(
    "SEG-001",
    "mn-sw1",
    "Gi0/5",
    Severity.CRITICAL,
    refs=SEPARATION,
    message="mn-sw1 Gi0/5 carries LGWAN VLAN 20 into the My Number zone",
)
TELNET = make(
    "HRD-001",
    "core-sw1",
    "line vty 0 4",
    Severity.HIGH,
    refs=HARDENING,
    message="core-sw1 accepts telnet on line vty 0 4",
    evidence=(EvidenceRef(source="ssh", detail="running-config line 3", blob_sha256=CONFIG_SHA),),
)
SCRIPT = make(
    "HRD-002",
    "lg-sw1",
    f"Gi0/7 ({SCRIPT_ALIAS})",
    Severity.MEDIUM,
    refs=HARDENING,
    message=f"lg-sw1 port with ifAlias {SCRIPT_ALIAS} is enabled but unused",
)
FORMULA = make(
    "HRD-003",
    "inet-fw1",
    FORMULA_SUBJECT,
    Severity.LOW,
    refs=HARDENING,
    message="-1+2 port description looks like a formula",
)
SYSLOG = make(
    "MON-001",
    "edu-sw1",
    "syslog",
    Severity.MEDIUM,
    refs=MONITORING,
    message=f"edu-sw1 sends no syslog; owner {NOT_CP932}",
)
SECRET = make(
    "HRD-004",
    "wifi-ap1",
    "snmp",
    Severity.HIGH,
    refs=WIFI,
    message=f"wifi-ap1 config has snmp-server community {PLANTED_SECRET} RO",
)
LEDGER_ROW = make(
    "LED-001",
    None,
    "ledger-row:A-0099",
    Severity.LOW,
    zone=None,
    refs=LEDGER,
    message="Asset A-0099 is in the ledger but not on the network",
)
UNREACHED = make(
    "COL-001",
    "san-relay1",
    "snmp",
    Severity.HIGH,
    outcome=Outcome.ERROR,
    refs=MONITORING,
    message="san-relay1 did not answer SNMP (timeout)",
)
LATE = make(
    "SEG-002",
    "lg-sw1",
    "Gi0/9",
    Severity.HIGH,
    refs=SEPARATION,
    message="lg-sw1 Gi0/9 trunks Internet VLAN 30",
)
FILLER = [
    make("HRD-010", device, f"Gi0/{n}", Severity.INFO, refs=HARDENING)
    for device in ("core-sw1", "lg-sw1", "edu-sw1")
    for n in range(1, 5)
]


@dataclass
class City:
    store: Store
    policy: Policy
    now: datetime
    run_ids: list[int] = field(default_factory=list)
    manual_fingerprint: str = ""


def city_policy(today: date) -> Policy:
    """The example city's policy plus one exception that runs out within 30 days."""
    policy = load_policy(POLICY_DIR).policy
    soon = PolicyException(
        id="EX-TEST-SOON",
        check="HRD-999",
        selector=Selector(device="*", subject="*"),
        reason="更新作業中",
        approver="情報政策課長",
        approval_number="情政第2026-099号",
        expires=today + timedelta(days=12),
    )
    return policy.model_copy(update={"exceptions": [*policy.exceptions, soon]})


def populate(store: Store, now: datetime | None = None) -> City:
    """Record five runs over ten days ending at ``now`` and one manual suppression."""
    now = now or datetime.now(UTC).replace(microsecond=0)
    policy = city_policy(now.date())
    city = City(store=store, policy=policy, now=now)
    checks = {
        f.check_id
        for f in [
            SEG,
            TELNET,
            SCRIPT,
            FORMULA,
            SYSLOG,
            SECRET,
            LEDGER_ROW,
            UNREACHED,
            LATE,
            *FILLER,
        ]
    }
    plan = [
        (10, [SEG, TELNET, SCRIPT, FORMULA, SYSLOG, SECRET, *FILLER], set(DEVICES)),
        (7, [SEG, TELNET, SCRIPT, FORMULA, SYSLOG, SECRET, LEDGER_ROW, *FILLER], set(DEVICES)),
        (4, [SEG, TELNET, SCRIPT, SYSLOG, SECRET, LEDGER_ROW, *FILLER[3:]], set(DEVICES)),
        (1, [SEG, TELNET, SCRIPT, FORMULA, SYSLOG, SECRET, LEDGER_ROW, *FILLER[3:]], set(DEVICES)),
        (
            0,
            [
                SEG,
                TELNET,
                SCRIPT,
                FORMULA,
                SYSLOG,
                SECRET,
                LEDGER_ROW,
                UNREACHED,
                LATE,
                *FILLER[5:],
            ],
            set(DEVICES) - {"san-relay1"},
        ),
    ]
    for days_ago, findings, covered in plan:
        at = now - timedelta(days=days_ago, hours=1)
        config = CONFIG_BEFORE if days_ago > 1 else CONFIG_AFTER
        snapshots = {
            "core-sw1": DeviceSnapshot(
                device="core-sw1",
                collected_at=at,
                config_redacted=config,
                config_hash=hashlib.sha256(config.encode()).hexdigest(),
            )
        }
        run_id = store.begin_run(
            "audit", "full", sorted(DEVICES), "0.1.0-test", "pack-hash-1", "policy-hash-1", at
        )
        store.record_run(
            run_id,
            snapshots=snapshots,
            findings=findings,
            covered_devices=covered,
            evaluated_checks=checks,
            policy=policy,
            now=at,
            complete=True,
            evidence={"core-sw1": [("running-config", RUNNING_CONFIG), ("snmp-walk", WALK)]},
        )
        city.run_ids.append(run_id)
    record = suppress_finding(
        store,
        FILLER[6].fingerprint,
        actor="yamada",
        reason="撤去予定のポート",
        approver="情報政策課長",
        approval_number="情政第2026-120号",
        expires=now.date() + timedelta(days=20),
        now=now,
    )
    city.manual_fingerprint = record.fingerprint
    return city
