"""LED-006: a storage device (NAS / file server) is not installed in a server room (4-1-2)."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import Field

from auditor.model.findings import EvidenceRef, Finding, Reference, Severity
from auditor.rules import AuditContext, Check, CheckParams

from ..hardening._common import fold, not_applicable
from ._observed import is_active, resolve_zone
from .missing_mandatory_field import row_subject

STORAGE_KINDS = (
    "NAS",
    "ファイルサーバ",
    "ファイルサーバー",
    "ストレージ",
    "file server",
    "storage",
)


class StorageOutsideServerRoom(Check):
    """A NAS or file server is recorded at a location that is not a server room.

    What it checks:
        Active ledger rows whose kind contains one of ``storage_kinds`` (NAS, ファイルサーバ,
        ストレージ …): the location must equal, or start with, one of the policy's
        ``ledger.server_room_locations`` (compared ignoring spaces, width and case). Otherwise it
        is a finding (subject ``ledger-row:<asset>``). Rows without a location are LED-001's.
        When the policy names no server room the check reports not applicable once.

    Why is this bad?:
        Storage holds the data itself. Plan item 4-1-2 moves file storage into the server room
        (管理区域) where entry is controlled and recorded; a NAS under a desk can be carried off,
        its disks removed, or its power and backup forgotten.

    Example:
        ``A-0061 総務課 NAS, NAS, 本庁舎 1F 総務課`` with server rooms ``[本庁舎 3F サーバ室]``.

    Remediation:
        Move the device into the server room and update the ledger location, or record an
        approved exception (例外措置) with a date for the move.

    Parameters:
        ``storage_kinds`` (list, default NAS/ファイルサーバ/ファイルサーバー/ストレージ/file
        server/storage).
    """

    id = "LED-006"
    slug = "storage-outside-server-room"
    severity = Severity.MEDIUM
    title_ja = "ストレージ機器 (NAS・ファイルサーバー) がサーバー室外に設置"
    title_en = "Storage device located outside a server room"
    scope = "ledger"

    class Params(CheckParams):
        storage_kinds: list[str] = Field(
            default_factory=lambda: list(STORAGE_KINDS), description="Ledger kinds that hold data"
        )

    references = (
        Reference(kind="guideline", key="管理区域(情報システム室等)の管理"),
        Reference(kind="guideline", key="情報資産の分類と管理"),
        Reference(kind="plan", key="4-1-2"),
    )

    def evaluate(self, context: AuditContext) -> Iterator[Finding]:
        kinds = [fold(kind) for kind in self.params(context).storage_kinds]
        rooms = [fold(room) for room in context.policy.ledger.server_room_locations]
        storage = [
            row
            for row in context.ledger.rows
            if row.kind and is_active(row) and any(k in fold(row.kind) for k in kinds)
        ]
        if not storage:
            return
        if not rooms:
            yield not_applicable(
                self,
                context,
                device=None,
                fact="ledger.server_room_locations",
                reason_en="the policy names no server room (ledger.server_room_locations)",
                reason_ja="ポリシーにサーバー室 (ledger.server_room_locations) が定義されていません",
            )
            return
        for row in storage:
            if not row.location:
                continue
            location = fold(row.location)
            if any(location.startswith(room) for room in rooms):
                continue
            zone = resolve_zone(context.policy, row.zone)
            host = row.hostname if row.hostname and context.inventory.device(row.hostname) else None
            yield self.finding(
                context,
                device=host,
                subject=row_subject(row),
                zone=zone.id if zone else None,
                message_en=f"Storage asset {row.asset_id or row.row_number} ({row.kind}, "
                f"{row.name or row.hostname or ''}) is at {row.location}, not in a server room.",
                message_ja=f"ストレージ機器 {row.asset_id or row.row_number} ({row.kind}、"
                f"{row.name or row.hostname or ''}) の設置場所 {row.location} はサーバー室ではありません。",
                evidence=[
                    EvidenceRef(
                        source="ledger", detail=f"{context.ledger.source}:row {row.row_number}"
                    )
                ],
            )
