"""Guideline references keyed by section *title*, numbered per edition and per city.

Section numbers of the 総務省「地方公共団体における情報セキュリティポリシーに関するガイドライン」
shift between editions and municipalities copy them with their own prefixes (日向市 writes 2-4-3 for
the guideline's 4.3). So a check cites the title, and the number shown to an auditor comes from this
table (for the policy's ``guideline_edition``) or from the city's own ``clause_map``.

Source of the table: ``domain.md`` §1.2. The titles and their order were checked against a municipal
policy that mirrors the R7.3 対策基準(例文); the numbers assume the guideline starts at 1 = 組織体制,
which was NOT confirmed against the official PDF, so numbers are marked unverified, except R4.3's
6.1 コンピュータ及びネットワークの管理, its item (13) 無線LAN及びネットワークの盗聴対策 and the 6.2
アクセス制御 that follows: 東京都's 提案要求 (令和6年度, p.75) quotes R4.3 第3編第2章 with that
numbering (``shared/guideline-review.md`` E8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from auditor.policy.models import GUIDELINE_EDITIONS, Policy


@dataclass(frozen=True)
class SectionNumber:
    number: str
    verified: bool = False


@dataclass(frozen=True)
class GuidelineSection:
    """One 対策基準 section; ``title`` is the stable key used by checks and ``clause_map``."""

    title: str
    title_en: str
    numbers: Mapping[str, SectionNumber] = field(default_factory=dict)
    parent: str | None = None


@dataclass(frozen=True)
class ClauseLabel:
    """What a report prints for a reference: title, this edition's number, the city's clause."""

    title: str
    number: str | None
    city_clause: str | None
    number_verified: bool = False

    def label_ja(self) -> str:
        text = f"{self.number} {self.title}" if self.number else self.title
        if self.city_clause:
            text += f"(本市: {self.city_clause})"
        return text

    def label_en(self) -> str:
        text = f"§{self.number} {self.title}" if self.number else self.title
        if self.city_clause:
            text += f" (city policy: {self.city_clause})"
        return text


# Editions whose 対策基準 numbering is assumed identical (R4.3 / R5.3 / R6.10 / R7.3), see
# domain.md §1.2; the policy model lists the same editions (GUIDELINE_EDITIONS).
_RECENT_EDITIONS = GUIDELINE_EDITIONS
DEFAULT_EDITION = "R6.10"
# Numbers a quoted source confirms, per edition (guideline-review.md E8, wic-net page 75).
_VERIFIED = {("R4.3", "6.1"), ("R4.3", "6.2"), ("R4.3", "6.1(13)")}


def _recent(number: str) -> dict[str, SectionNumber]:
    return {
        edition: SectionNumber(number, verified=(edition, number) in _VERIFIED)
        for edition in _RECENT_EDITIONS
    }


# Section titles (domain.md §1.2). Numbers: unverified offsets, see module docstring.
ORGANISATION = "組織体制"
ASSET_CLASSIFICATION = "情報資産の分類と管理"
RESILIENCE = "情報システム全体の強靭性の向上"
SERVER_MANAGEMENT = "サーバ等の管理"
CONTROLLED_AREA = "管理区域(情報システム室等)の管理"
COMMUNICATION_LINES = "通信回線及び通信回線装置の管理"
TERMINALS_AND_MEDIA = "職員等の利用する端末や電磁的記録媒体等の管理"
ID_AND_PASSWORD = "ID及びパスワード等の管理"  # noqa: S105 (a section title)
COMPUTER_AND_NETWORK = "コンピュータ及びネットワークの管理"
ACCESS_CONTROL = "アクセス制御"
SYSTEM_DEVELOPMENT = "システム開発、導入、保守等"
MALWARE = "不正プログラム対策"
UNAUTHORISED_ACCESS = "不正アクセス対策"
SECURITY_INFORMATION = "セキュリティ情報の収集"
MONITORING = "情報システムの監視"
COMPLIANCE_CHECK = "遵守状況の確認"
INCIDENT_RESPONSE = "侵害時の対応"
EXCEPTIONS = "例外措置"
LEGAL_COMPLIANCE = "法令遵守"
DISCIPLINE = "懲戒"
OUTSOURCING_AND_CLOUD = "業務委託と外部サービス(クラウドサービス)の利用"
EVALUATION = "評価・見直し"

# Sub-items of コンピュータ及びネットワークの管理 (titles from background knowledge, domain.md §1.2
# and §6: numbering and wording unverified, so they carry no number).
LOGGING = "ログの取得等"
CONNECTION_AND_ROUTING_CONTROL = "ネットワークの接続制御、経路制御等"
EXTERNAL_CONNECTION_LIMITS = "外部ネットワークとの接続制限等"
WIRELESS_AND_EAVESDROPPING = "無線LAN及びネットワークの盗聴対策"
CONFIGURATION_CHANGE_LIMITS = "機器構成の変更の制限"
NON_BUSINESS_NETWORKS = "業務外ネットワークへの接続の禁止"

SECTIONS: tuple[GuidelineSection, ...] = (
    GuidelineSection(ORGANISATION, "Organisation", _recent("1")),
    GuidelineSection(ASSET_CLASSIFICATION, "Classification and management of assets", _recent("2")),
    GuidelineSection(RESILIENCE, "Resilience of the whole information system", _recent("3")),
    GuidelineSection(SERVER_MANAGEMENT, "Management of servers", _recent("4.1")),
    GuidelineSection(CONTROLLED_AREA, "Management of controlled areas", _recent("4.2")),
    GuidelineSection(
        COMMUNICATION_LINES, "Management of communication lines and equipment", _recent("4.3")
    ),
    GuidelineSection(TERMINALS_AND_MEDIA, "Terminals and media used by staff", _recent("4.4")),
    GuidelineSection(ID_AND_PASSWORD, "Management of IDs and passwords", _recent("5.4")),
    GuidelineSection(COMPUTER_AND_NETWORK, "Management of computers and networks", _recent("6.1")),
    GuidelineSection(ACCESS_CONTROL, "Access control", _recent("6.2")),
    GuidelineSection(
        SYSTEM_DEVELOPMENT, "System development, deployment, maintenance", _recent("6.3")
    ),
    GuidelineSection(MALWARE, "Malware countermeasures", _recent("6.4")),
    GuidelineSection(
        UNAUTHORISED_ACCESS, "Countermeasures against unauthorised access", _recent("6.5")
    ),
    GuidelineSection(SECURITY_INFORMATION, "Collection of security information", _recent("6.6")),
    GuidelineSection(MONITORING, "Monitoring of information systems", _recent("7.1")),
    GuidelineSection(COMPLIANCE_CHECK, "Checking compliance", _recent("7.2")),
    GuidelineSection(INCIDENT_RESPONSE, "Response to violations", _recent("7.3")),
    GuidelineSection(EXCEPTIONS, "Exceptions", _recent("7.4")),
    GuidelineSection(LEGAL_COMPLIANCE, "Legal compliance", _recent("7.5")),
    GuidelineSection(DISCIPLINE, "Disciplinary action", _recent("7.6")),
    GuidelineSection(
        OUTSOURCING_AND_CLOUD, "Outsourcing and external (cloud) services", _recent("8")
    ),
    GuidelineSection(EVALUATION, "Evaluation and review", _recent("9")),
    GuidelineSection(LOGGING, "Logging", parent=COMPUTER_AND_NETWORK),
    GuidelineSection(
        CONNECTION_AND_ROUTING_CONTROL,
        "Connection and routing control",
        parent=COMPUTER_AND_NETWORK,
    ),
    GuidelineSection(
        EXTERNAL_CONNECTION_LIMITS, "Limits on external connections", parent=COMPUTER_AND_NETWORK
    ),
    GuidelineSection(
        WIRELESS_AND_EAVESDROPPING,
        "Wireless LAN and eavesdropping countermeasures",
        # Only R4.3's item number is quoted by a source; later editions' are not known.
        {"R4.3": SectionNumber("6.1(13)", verified=True)},
        parent=COMPUTER_AND_NETWORK,
    ),
    GuidelineSection(
        CONFIGURATION_CHANGE_LIMITS, "Limits on configuration changes", parent=COMPUTER_AND_NETWORK
    ),
    GuidelineSection(
        NON_BUSINESS_NETWORKS, "No connection to non-business networks", parent=COMPUTER_AND_NETWORK
    ),
)

SECTIONS_BY_TITLE: Mapping[str, GuidelineSection] = {section.title: section for section in SECTIONS}


def section(title: str) -> GuidelineSection | None:
    return SECTIONS_BY_TITLE.get(title)


def resolve_clause(title: str, policy: Policy | None = None) -> ClauseLabel:
    """Label a guideline reference for ``policy``: the city's ``clause_map`` wins over the table.

    An unknown title still resolves (to itself, without a number): a check citing a section this
    table lacks must not crash a report.
    """
    edition = policy.guideline_edition if policy is not None else DEFAULT_EDITION
    known = SECTIONS_BY_TITLE.get(title)
    number = known.numbers.get(edition) if known is not None else None
    label = ClauseLabel(
        title=title,
        number=number.number if number else None,
        city_clause=None,
        number_verified=number.verified if number else False,
    )
    mapping = policy.clause_map.get(title) if policy is not None else None
    if mapping is None:
        return label
    return ClauseLabel(
        title=title,
        number=mapping.number if mapping.number is not None else label.number,
        city_clause=mapping.city_clause,
        # A number the city wrote down itself counts as checked by the city.
        number_verified=mapping.number is not None or label.number_verified,
    )


@dataclass(frozen=True)
class PlanItem:
    """An item of the example city's plan that checks may cite (``Reference(kind="plan")``).

    The titles are the plan's own: 第四次取手市情報化計画 (平成30〜34年度), goal 4 情報セキュリティ
    (``shared/plan-goal4.md``); the English names are ours. A city replaces them with its plan.
    """

    key: str
    name_ja: str
    name_en: str


PLAN_PROCEDURES = PlanItem("4-1-1", "情報セキュリティ実施手順書の整備", "Security procedures")
PLAN_STORAGE = PlanItem(
    "4-1-2", "各課所管のストレージ設置場所の整備", "Location of departments' storage"
)
PLAN_LGJP_MAIL = PlanItem(
    "4-1-3",
    "各課メールアドレスの LG.JP ドメインへの移行可能性の検討",
    "Moving departments' mail to the LG.JP domain",
)
PLAN_RESILIENCE = PlanItem("4-1-4", "ネットワーク強靱化の推進", "Network resilience (three tiers)")
PLAN_ASSET_MANAGEMENT = PlanItem(
    "4-1-5", "情報資産管理業務の最適化", "Streamlining information-asset management"
)
PLAN_INTERNAL_NETWORK = PlanItem(
    "4-1-6", "庁内通信ネットワークの強化", "Strengthening the internal network"
)
PLAN_AUDIT = PlanItem("4-2-1", "情報セキュリティ監査体制の整備", "Security audit system")
PLAN_MONITORING = PlanItem("4-2-2", "ネットワーク監視の充実", "Network monitoring")
PLAN_INCIDENT = PlanItem(
    "4-2-3", "情報セキュリティ緊急時対応計画の策定・運用", "Security incident response plan"
)
PLAN_FILE_SERVER = PlanItem("4-3-1", "ファイルサーバの管理の強化", "File-server management")
PLAN_CLOUD = PlanItem("4-3-2", "クラウドコンピューティングの利用", "Use of cloud computing")
PLAN_PUBLIC_WIFI = PlanItem("4-3-3", "Ｗｉ-Ｆｉスポットの設置", "Public Wi-Fi spots")
PLAN_ICT_BCP = PlanItem("4-3-4", "ＩＣＴ部門の業務継続計画の策定", "ICT business-continuity plan")

PLAN_ITEMS: Mapping[str, PlanItem] = {
    item.key: item
    for item in (
        PLAN_PROCEDURES,
        PLAN_STORAGE,
        PLAN_LGJP_MAIL,
        PLAN_RESILIENCE,
        PLAN_ASSET_MANAGEMENT,
        PLAN_INTERNAL_NETWORK,
        PLAN_AUDIT,
        PLAN_MONITORING,
        PLAN_INCIDENT,
        PLAN_FILE_SERVER,
        PLAN_CLOUD,
        PLAN_PUBLIC_WIFI,
        PLAN_ICT_BCP,
    )
}
