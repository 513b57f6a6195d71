"""Result sets: a run's control matrix stored once per distinct set of a check's results.

``run_results`` (one row per run, check and target) becomes ``result_sets`` (one per city,
check and digest of the sorted (target, outcome, reason_en, reason_ja) cells), its cells in
``result_set_rows`` and one ``run_result_sets`` link per run and check. Existing rows move:
runs whose results of a check were identical share one set. The old table is dropped.

Revision ID: 0016_result_sets
Revises: 0015_tenants
Create Date: 2027-02-20
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0016_result_sets"
down_revision: str | None = "0015_tenants"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Cell = tuple[str, str, str | None, str | None]


def _digest(cells: Sequence[Cell]) -> str:
    """A frozen copy of ``recording.result_set_digest`` (a migration must not change later), so
    a run recorded after the upgrade reuses the sets moved here."""
    canonical = json.dumps(sorted(cells), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _tenant() -> sa.Column[str]:
    return sa.Column("tenant", sa.String(length=64), nullable=False, server_default="default")


def upgrade() -> None:
    op.create_table(
        "result_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("check_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        _tenant(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_sets")),
        sa.UniqueConstraint(
            "tenant", "check_id", "digest", name="uq_result_sets_tenant_check_digest"
        ),
        sa.UniqueConstraint("tenant", "id", name="uq_result_sets_tenant_id"),
    )
    op.create_index(op.f("ix_result_sets_tenant"), "result_sets", ["tenant"])
    op.create_table(
        "result_set_rows",
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=255), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason_en", sa.Text(), nullable=True),
        sa.Column("reason_ja", sa.Text(), nullable=True),
        _tenant(),
        sa.ForeignKeyConstraint(
            ["tenant", "set_id"],
            ["result_sets.tenant", "result_sets.id"],
            name="fk_result_set_rows_tenant_result_sets",
        ),
        sa.PrimaryKeyConstraint("set_id", "target", name=op.f("pk_result_set_rows")),
    )
    op.create_index(op.f("ix_result_set_rows_tenant"), "result_set_rows", ["tenant"])
    op.create_table(
        "run_result_sets",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        _tenant(),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_result_sets_run_id_runs")
        ),
        sa.ForeignKeyConstraint(
            ["tenant", "set_id"],
            ["result_sets.tenant", "result_sets.id"],
            name="fk_run_result_sets_tenant_result_sets",
        ),
        sa.PrimaryKeyConstraint("run_id", "set_id", name=op.f("pk_run_result_sets")),
    )
    op.create_index(op.f("ix_run_result_sets_set_id"), "run_result_sets", ["set_id"])
    op.create_index(op.f("ix_run_result_sets_tenant"), "run_result_sets", ["tenant"])
    _move_results(op.get_bind())
    op.drop_table("run_results")


def _move_results(bind: sa.Connection) -> None:
    """Group the old rows per (tenant, run, check) and store each distinct group once."""
    old = sa.table(
        "run_results",
        *(sa.column(name) for name in ("tenant", "run_id", "check_id", "target", "outcome")),
        sa.column("reason_en"),
        sa.column("reason_ja"),
    )
    sets = sa.table("result_sets", *(sa.column(n) for n in ("id", "tenant", "check_id", "digest")))
    cells_table = sa.table(
        "result_set_rows",
        *(sa.column(n) for n in ("set_id", "target", "outcome", "reason_en", "reason_ja")),
        sa.column("tenant"),
    )
    links = sa.table("run_result_sets", *(sa.column(n) for n in ("run_id", "set_id", "tenant")))
    groups: dict[tuple[str, int, str], list[Cell]] = {}
    query = sa.select(old).order_by(old.c.tenant, old.c.run_id, old.c.check_id, old.c.target)
    for row in bind.execute(query):
        key = (row.tenant, row.run_id, row.check_id)
        groups.setdefault(key, []).append((row.target, row.outcome, row.reason_en, row.reason_ja))
    known: dict[tuple[str, str, str], int] = {}
    link_rows: list[dict[str, Any]] = []
    for (tenant, run_id, check_id), cells in groups.items():
        digest = _digest(cells)
        set_id = known.get((tenant, check_id, digest))
        if set_id is None:
            inserted = bind.execute(
                sa.insert(sets)
                .values(tenant=tenant, check_id=check_id, digest=digest)
                .returning(sets.c.id)
            )
            set_id = known[(tenant, check_id, digest)] = int(inserted.scalar_one())
            bind.execute(
                sa.insert(cells_table),
                [
                    {
                        "set_id": set_id,
                        "target": target,
                        "outcome": outcome,
                        "reason_en": reason_en,
                        "reason_ja": reason_ja,
                        "tenant": tenant,
                    }
                    for target, outcome, reason_en, reason_ja in sorted(cells)
                ],
            )
        link_rows.append({"run_id": run_id, "set_id": set_id, "tenant": tenant})
    if link_rows:
        bind.execute(sa.insert(links), link_rows)


def downgrade() -> None:
    raise NotImplementedError("0016_result_sets follows 0015_tenants, which cannot be undone")
