"""Help texts of ``auditor path`` (merged into :data:`auditor.cli.i18n.MESSAGES`)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "path": (
        "保存済みの設定から経路を1ホップずつ示します (設定のトレースルート)。",
        "Trace a path hop by hop through the stored configurations (a config traceroute).",
    ),
    "path.source": (
        "送信元: ゾーン、ホスト名 (ポリシーの hosts または機器一覧の機器)、IP アドレスまたはサブネット",
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
