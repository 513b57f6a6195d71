"""The finding page shows what the store holds as evidence, or says that there is none."""

from __future__ import annotations

from starlette.testclient import TestClient

from auditor.web.evidence import config_excerpt
from tests.web.city import fingerprint_of
from tests.web.conftest import login


def test_a_segmentation_finding_shows_its_configuration_line_from_the_matrix(
    web: TestClient,
) -> None:
    login(web, "viewer1")
    page = web.get(f"/findings/{fingerprint_of('SEG-005')}").text
    assert 'id="config-lines"' in page and "rule 12 permit any" in page
    assert "internet → lgwan" in page and "ポリシーを超える" in page
    assert 'id="no-evidence"' not in page


def test_a_path_finding_shows_its_hops(web: TestClient) -> None:
    login(web, "viewer1")
    page = web.get(f"/findings/{fingerprint_of('SEG-013')}").text
    assert 'id="hops"' in page and "fw1 → core1" in page and "tcp/443" in page


def test_a_device_finding_shows_the_stored_configuration_around_its_subject(
    web: TestClient,
) -> None:
    login(web, "viewer1")
    page = web.get(f"/findings/{fingerprint_of('HRD-001')}").text
    assert 'id="excerpt"' in page
    excerpt = page.split('id="excerpt">', 1)[1].split("</pre>", 1)[0]
    assert "2  line vty 0 4" in excerpt and "transport input ssh" in excerpt
    assert "telnet" not in excerpt  # the latest configuration, not an older one


def test_a_finding_without_evidence_says_so_in_both_languages(web: TestClient) -> None:
    login(web, "viewer1")
    url = f"/findings/{fingerprint_of('MON-001')}"
    assert "記録された証跡がありません" in web.get(url).text
    web.get("/lang/en?next=/")
    assert "This finding has no stored evidence" in web.get(url).text


def test_the_excerpt_keeps_blocks_and_marks_gaps() -> None:
    config = "\n".join(
        [
            "hostname r1",
            "interface Gi0/1",
            " ip access-group IN in",
            "!",
            "ip access-list extended IN",
            " 10 permit ip 10.0.0.0 0.0.0.255 any",
            " 20 deny ip any any",
            "!",
            *[f"! filler {n}" for n in range(10)],
            "logging host 10.0.0.9",
        ]
    )
    text = config_excerpt(config, ["permit ip 10.0.0.0 0.0.0.255 any", "logging host 10.0.0.9"])
    assert "ip access-list extended IN" in text and "20 deny ip any any" in text
    assert "hostname r1" not in text and "…" in text and "logging host 10.0.0.9" in text
    assert config_excerpt(config, ["any"]) == ""  # short texts must match a whole line
    assert config_excerpt(None, ["x"]) == ""
