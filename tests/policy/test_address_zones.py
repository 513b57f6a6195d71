"""Addresses are judged by the zone whose declared networks hold them, not by "not ours"."""

from __future__ import annotations

from pathlib import Path

from auditor.policy.loader import load_policy
from auditor.policy.models import Policy, ZoneKind

REPO = Path(__file__).resolve().parents[2]
ZONES = [
    {
        "id": "mynumber",
        "kind": "mynumber",
        "name_ja": "マ",
        "name_en": "M",
        "subnets": ["10.10.0.0/16"],
    },
    {
        "id": "internet",
        "kind": "internet",
        "name_ja": "イ",
        "name_en": "I",
        "subnets": ["10.30.0.0/16"],
    },
    {
        "id": "lgwan-wan",
        "kind": "lgwan_wan",
        "name_ja": "LGWAN",
        "name_en": "LGWAN WAN",
        "subnets": ["10.200.0.0/16"],
    },
    {
        "id": "cloud",
        "kind": "security_cloud",
        "name_ja": "セキュリティクラウド",
        "name_en": "Security cloud",
        "subnets": ["198.51.100.0/24"],
    },
]


def test_declared_external_networks_win_and_unlisted_space_is_unknown_external() -> None:
    policy = Policy.model_validate({"zones": ZONES})
    lgwan_dns = policy.classify_address("10.200.0.53")
    assert lgwan_dns is not None and lgwan_dns.kind is ZoneKind.LGWAN_WAN and lgwan_dns.listed
    cloud = policy.classify_address("198.51.100.8")
    assert cloud is not None and cloud.kind is ZoneKind.SECURITY_CLOUD and cloud.external
    unlisted = policy.classify_address("8.8.8.8")
    assert unlisted is not None and (unlisted.kind, unlisted.listed) == (ZoneKind.EXTERNAL, False)
    assert policy.classify_address("127.0.0.1") is None
    assert policy.classify_address("not-an-ip") is None


def test_unlisted_space_is_the_internet_only_when_the_policy_says_so() -> None:
    policy = Policy.model_validate({"zones": ZONES, "unlisted_space": "internet"})
    unlisted = policy.classify_address("8.8.8.8")
    assert unlisted is not None and unlisted.kind is ZoneKind.INTERNET
    assert unlisted.zone is not None and unlisted.zone.id == "internet"


def test_an_external_zone_has_no_vlans(tmp_path: Path) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(
        "zones:\n  - {id: wan, kind: lgwan_wan, name_ja: W, name_en: W, vlans: [5], "
        "subnets: [10.200.0.0/16]}\n",
        "utf-8",
    )
    try:
        load_policy(path)
    except Exception as exc:
        assert "networks only, no vlans" in str(exc)
    else:
        raise AssertionError("an external zone with VLANs must be refused")


def test_the_example_city_names_the_lgwan_wan_and_its_resolver() -> None:
    policy = load_policy(REPO / "policies" / "example-city").policy
    resolver = policy.classify_address(policy.hosts["lgwan-dns"].address)
    assert resolver is not None and resolver.kind is ZoneKind.LGWAN_WAN
    platform = policy.hosts["chukan-platform"]
    assert platform.zone == "lgwan-wan"
    (chukan,) = [f for f in policy.flows if f.id == "F-001"]
    assert (chukan.from_, chukan.to) == ("mynumber", "lgwan-wan")
    assert not policy.flows_between("mynumber", "lgwan")  # no My Number flow ends in the LGWAN tier
    (mail,) = [f for f in policy.flows if f.id == "F-008"]
    assert policy.hosts[mail.via[0]].role == "mail_relay"
