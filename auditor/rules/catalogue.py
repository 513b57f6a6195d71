"""The rule catalogue as text and Markdown, from the same registry ``auditor rules`` reads."""

from __future__ import annotations

import json
from pathlib import Path

from auditor.model.language import Lang
from auditor.rules import DOC_SECTIONS, Check, Registry


def render_rule_text(check: type[Check], lang: Lang) -> str:
    title = check.title_ja if lang == "ja" else check.title_en
    other = check.title_en if lang == "ja" else check.title_ja
    lines = [
        f"{check.id} {check.slug}",
        f"{title} / {other}",
        f"severity: {check.severity.value}   scope: {check.scope}",
        "references: " + "; ".join(ref.label() for ref in check.references),
        "",
    ]
    sections = check.documentation()
    for name in DOC_SECTIONS:
        lines.append(f"{name}")
        lines.extend(f"    {line}" for line in sections.get(name, "").splitlines())
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_rule_markdown(check: type[Check]) -> str:
    lines = [
        f"# {check.id} — {check.title_ja} / {check.title_en}",
        "",
        "| | |",
        "|---|---|",
        f"| slug | `{check.slug}` |",
        f"| severity | {check.severity.value} |",
        f"| scope | {check.scope} |",
        f"| references | {'; '.join(ref.label() for ref in check.references)} |",
        "",
    ]
    parameters = check.parameter_docs()
    if parameters:
        lines += ["| parameter | type | default | description |", "|---|---|---|---|"]
        lines += [
            f"| `{p.name}` | `{p.type}` | `{json.dumps(p.default, ensure_ascii=False)}` | "
            f"{p.description} |"
            for p in parameters
        ]
        lines.append("")
    sections = check.documentation()
    for name in DOC_SECTIONS:
        lines += [f"## {name}", "", sections.get(name, ""), ""]
    return "\n".join(lines).rstrip() + "\n"


def render_index(registry: Registry) -> str:
    lines = [
        "# Rule catalogue / チェック一覧",
        "",
        "Generated from the registry by `python -m auditor.rules.catalogue`; do not edit by hand.",
        "",
        "| id | severity | scope | 日本語 | English |",
        "|---|---|---|---|---|",
    ]
    for check in registry:
        lines.append(
            f"| [{check.id}]({check.id}.md) | {check.severity.value} | {check.scope} | "
            f"{check.title_ja} | {check.title_en} |"
        )
    return "\n".join(lines) + "\n"


def expected_files(registry: Registry) -> dict[str, str]:
    files = {"README.md": render_index(registry)}
    for check in registry:
        files[f"{check.id}.md"] = render_rule_markdown(check)
    return files


def write_docs(registry: Registry, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    wanted = expected_files(registry)
    for stale in folder.glob("*.md"):
        if stale.name not in wanted:
            stale.unlink()
    written = []
    for name, content in wanted.items():
        path = folder / name
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            path.write_text(content, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    from auditor.rules import discover

    for path in write_docs(discover(), Path(__file__).resolve().parents[2] / "docs" / "rules"):
        print(f"wrote {path}")
