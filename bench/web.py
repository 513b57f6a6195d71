"""Server time of the web console's pages at N findings, and its peak memory.

    .venv/bin/python bench/web.py --findings 100000 --repeat 5

Builds the store the way bench/report_scale.py does (two runs through the Store API; the second
resolves 2% and adds 5%) in a child process, so this process's peak RSS is the console's own.
Then it signs in and asks the Starlette app (in process, through Starlette's TestClient, no
network) for each page ``--repeat`` times, interleaved: the first findings page, filtered pages
(severity + zone, text search, audit grade, matrix pair), a deep page, one finding, a CSV download of
the severity + zone filter, and the overview (which reads the report's data: every finding). Printed as min/median/max, not
asserted (the issue's target: first findings page under 300 ms). Peak RSS (VmHWM) is printed
after sign-in, after every findings page was served once, and after the overview. Writes dated JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

PAGES = {
    "findings_first": "/findings?status=active",
    "findings_all": "/findings",
    "severity_zone": "/findings?status=active&severity=high&zone=lgwan",
    "text_search": "/findings?q=sw00042",
    "grade": "/findings?status=active&grade=major_nonconformity",
    "device": "/findings?device=sw00100",
    "matrix_cell": "/findings?status=active&pair=lgwan-%3Einternet",
    "deep_page": "/findings?page=1000",
    "finding": "FINDING",
    "csv_2450": "/findings.csv?status=active&severity=high&zone=lgwan",
    "overview": "/",
}
PASSWORD = "bench password 1234"


def _vm(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def build(db: str, count: int) -> None:
    from auditor.store import Store, console
    from auditor.web.auth import hash_password
    from bench import report_scale

    timings = report_scale.populate(db, count)
    with Store(db) as store:
        console.add_user(store, "bench", role="viewer", password_hash=hash_password(PASSWORD))
    print(f"store built: {timings}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", help="reuse this SQLite file (built when missing)")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="kyojin-web-bench-"))
    path = Path(args.db) if args.db else folder / "auditor.db"
    db = f"sqlite:///{path}"
    if args.build_only:
        build(db, args.findings)
        return
    if not path.exists():
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--build-only", "--db", str(path), "--findings",
             str(args.findings)],
            check=True,
        )  # fmt: skip
        print(f"build: {time.perf_counter() - started:.1f} s", flush=True)

    from starlette.testclient import TestClient

    from auditor.store import Store
    from auditor.web.app import WebConfig, create_app
    from bench.common import show, spread, write_results

    store = Store(db)
    config = WebConfig(
        db_url=db,
        policy_path=REPO / "policies" / "example-city",
        overview_wait=3600.0,  # measure the overview's background read, not the notice
    )
    app = create_app(config, store)
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token is not None
    answer = client.post(
        "/login", data={"username": "bench", "password": PASSWORD, "csrf": token.group(1)}
    )
    assert answer.status_code == 303, answer.text
    rss_open = _vm("VmHWM")
    listing = client.get("/findings?status=active").text
    first = re.search(r'href="/findings/([0-9a-f]{64})"', listing)
    assert first is not None
    pages = dict(PAGES, finding=f"/findings/{first.group(1)}")
    figures: dict[str, list[float]] = {name: [] for name in pages}
    totals: dict[str, str] = {}
    rss_list: int | None = None
    for _ in range(args.repeat):
        for name, url in pages.items():
            if name == "overview" and rss_list is None:
                rss_list = _vm("VmHWM")  # every findings page served once, no overview yet
            started = time.perf_counter()
            reply = client.get(url)
            elapsed = time.perf_counter() - started
            assert reply.status_code == 200, (name, reply.status_code, reply.text[:300])
            figures[name].append(elapsed * 1000)
            found = re.search(r'class="count">\s*([^<]*?)\s*—', reply.text)
            if found:
                totals[name] = " ".join(found.group(1).split())
    rss_end = _vm("VmHWM")
    print(f"findings: {args.findings} (+{args.findings // 20} in run 2), repeat {args.repeat}")
    for name, values in figures.items():
        shown = f"  [{totals[name]}]" if name in totals else ""
        print(show(f"{name:15s}", values, " ms", 1) + shown)
    rss_list = rss_list or rss_end
    print(
        f"peak RSS: after sign-in {rss_open / 1024:.0f} MiB, after the findings pages"
        f" {rss_list / 1024:.0f} MiB, after the overview too {rss_end / 1024:.0f} MiB"
    )
    first_median = spread(figures["findings_first"])["median"]
    print(
        f"findings_first_ms={first_median:.1f} "
        f"overview_ms={spread(figures['overview'])['median']:.1f} "
        f"list_peak_rss_mib={rss_list / 1024:.0f} peak_rss_mib={rss_end / 1024:.0f}"
    )
    write_results(
        "web",
        {
            "findings": args.findings,
            "repeat": args.repeat,
            "pages_ms": {name: spread(values) for name, values in figures.items()},
            "peak_rss_mib": {
                "after_sign_in": rss_open / 1024,
                "after_findings_pages": rss_list / 1024,
                "after_overview": rss_end / 1024,
            },
        },
    )
    store.close()


if __name__ == "__main__":
    main()
