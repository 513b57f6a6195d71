from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from auditor.store import Store
from auditor.web.app import WebConfig, create_app
from tests.web.city import CSRF, PASSWORD, build
from tests.web.city import cheap_password_hashing as cheap_password_hashing  # fixture


@pytest.fixture(scope="session", autouse=True)
def _cheap_argon2(cheap_password_hashing: object) -> None:
    """Every web test signs in with the cheap argon2 parameters (see ``tests.web.city``)."""


@pytest.fixture(scope="session")
def city_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per test process (two runs and the accounts), copied per test."""
    path = tmp_path_factory.mktemp("web-city") / "auditor.db"
    build(path)
    return path


@pytest.fixture
def city_url(city_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "auditor.db"
    target.write_bytes(city_template.read_bytes())
    return f"sqlite:///{target}"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(city_url: str, clock: Clock) -> Iterator[TestClient]:
    store = Store(city_url)
    # The pages' tests want the overview's content: wait for its first background read.
    app = create_app(WebConfig(db_url=city_url, clock=clock, overview_wait=120.0), store)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        yield client
    store.close()


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in; returns the session's CSRF token (read from a page's form)."""
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token is not None
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token.group(1), "next": "/"},
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    page = client.get("/runs")
    assert page.status_code == 200, page.text
    token = CSRF.search(page.text)
    assert token is not None
    return token.group(1)
