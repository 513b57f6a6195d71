"""Help texts of ``auditor path`` (merged into :data:`auditor.cli.i18n.MESSAGES`)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "path": (
        "送信元から宛先への経路を、最新の保存済みスナップショットの設定から1ホップずつ示します"
        "(設定のトレースルート)。各ホップの経路と許可した行、到達不可、または不明とその理由。",
        "Trace the path from a source to a destination through the newest stored snapshots, hop "
        "by hop with the route and permitting lines (a traceroute of the configuration), or say "
        "it is not reachable, or unknown and why.",
    ),
    "path.source": (
        "送信元: ゾーン、ホスト名 (ポリシーの hosts または機器台帳の機器)、IP アドレスまたはサブネット",
        "source: a zone, a host name (policy hosts or an inventory device), an IP address or subnet",
    ),
    "path.destination": (
        "宛先: ゾーン、ホスト名、IP アドレスまたはサブネット",
        "destination: a zone, a host name, an IP address or subnet",
    ),
    "path.service": (
        "サービス (例: tcp/443)。省略時は代表的なサービスとポリシーに現れるサービスをすべて調べます",
        "service (e.g. tcp/443); default: the probe services and every service the policy names",
    ),
    "path.vrf": (
        "送信元の VRF (省略時はすべての VRF)",
        "the source's VRF (default: every VRF)",
    ),
    "path.format": ("出力形式 (table または json)", "output format (table or json)"),
}
