"""Real parts for distributed collection: Redis, Celery worker processes, a scaled SNMP lab.

``redis_server`` starts Debian's ``redis-server`` on a free loopback port (append-only file, so
a restart keeps the queues) and waits for its PING. ``celery_cluster`` starts worker processes
(``celery -A auditor.distributed.celery_app worker``), each with its own queue list, and waits
until each answers a ``celery inspect ping``: no fixed sleeps anywhere. ``scaled_lab`` is the
synthetic city of the lab (SNMP only) with ``DEVICES`` devices across the three tiers.

``tier_lab`` / ``tier_cluster`` are the module-scoped 1,000-device versions (issue 23's
acceptance): ``TIER_DEVICES`` small switches (four access ports, so a walk is cheap for the agent)
of the three tiers only, one Redis, one PostgreSQL database, shared by a module's tests; each
test flushes Redis (``fresh_tier_cluster``) and starts its own workers.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from auditor.lab.runner import LabState, lab_down, lab_up
from auditor.store.repository import Store
from tests.markers import require
from tests.postgres import fresh_postgres_database

REPO = Path(__file__).resolve().parents[2]
POLICY = REPO / "policies" / "example-city"
DEVICES = 30  # 10 per tier: mynumber, lgwan, internet (synthetic blocks of ten)
TIERS = ("mynumber", "lgwan", "internet")
TIER_DEVICES = 1020  # 102 blocks of ten: 340 devices per tier
TIER_VISIBILITY = 30
"""Seconds before Redis re-delivers an unacknowledged batch in the 1,000-device tests: longer
than one batch takes on two loaded cores, so only a dead worker's batch is re-delivered."""
READY_SECONDS = 90.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``condition`` (each poll is a real check: a PING, a query) until true or time out."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}")
        time.sleep(0.05)


@dataclass
class RedisServer:
    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except (redis.ConnectionError, redis.TimeoutError):
            return False

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.ping, READY_SECONDS, "redis-server PING")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    require("celery", "a Redis server")
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed (scripts/install-system-deps.sh)")
        pytest.skip("redis-server is not installed (scripts/install-system-deps.sh)")
    server = RedisServer(_free_port(), tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def scaled_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabState]:
    require("lab", "the synthetic lab")
    if shutil.which("snmpbulkwalk") is None:
        pytest.skip("net-snmp tools are not installed (scripts/install-system-deps.sh)")
    state_dir = tmp_path_factory.mktemp("scaled-lab") / "state"
    state = lab_up(None, state_dir, devices=DEVICES, ssh_devices=0)
    try:
        yield state
    finally:
        lab_down(state_dir)


@dataclass
class Worker:
    name: str
    queues: list[str]
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def hostname(self) -> str:
        return f"celery@{self.name}"

    def kill(self) -> None:
        """SIGKILL the whole worker (its process group): no goodbye, no acknowledgement."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)

    def lines(self) -> list[str]:
        return self.log.read_text(errors="replace").splitlines() if self.log.exists() else []


@dataclass
class Cluster:
    redis: RedisServer
    db_url: str
    inventory: Path
    directory: Path
    workers: list[Worker] = field(default_factory=list)
    visibility: int = 6

    def env(self, queues: list[str]) -> dict[str, str]:
        return {
            **os.environ,
            "AUDITOR_BROKER_URL": self.redis.url,
            "AUDITOR_DB_URL": self.db_url,
            "AUDITOR_POLICY": str(POLICY),
            "AUDITOR_INVENTORY": str(self.inventory),
            "AUDITOR_WORKER_QUEUES": ",".join(queues),
            "AUDITOR_REDACTION_SALT": "distributed-test",
            "AUDITOR_STATE_DIR": str(self.directory / "state"),
            # Redis hands a dead worker's unacknowledged message to another worker after this.
            "AUDITOR_VISIBILITY_TIMEOUT": str(self.visibility),
            "AUDITOR_UNACKED_RESTORE_INTERVAL": "1",
        }

    def start_worker(
        self, name: str, queues: list[str], env: dict[str, str] | None = None
    ) -> Worker:
        """Start a worker process and wait until it answers a ping; ``env`` overrides (a city's
        ``AUDITOR_TENANT`` and ``AUDITOR_INVENTORY``)."""
        log = self.directory / f"{name}.log"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "auditor.distributed.celery_app",
                "worker",
                "-Q",
                ",".join(queues),
                "-n",
                name,
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "-f",
                str(log),
                "--without-gossip",
                "--without-mingle",
            ],
            env={**self.env(queues), **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        worker = Worker(name, queues, log, process)
        self.workers.append(worker)
        from auditor.distributed.celery_app import make_app

        app = make_app(self.redis.url)

        def answers() -> bool:
            import redis
            from kombu.exceptions import OperationalError

            assert process.poll() is None, f"worker {name} exited: {worker.lines()[-20:]}"
            try:
                replies = app.control.ping(destination=[worker.hostname], timeout=0.5) or []
            except (redis.ConnectionError, OperationalError):
                return False  # a pooled connection from before a broker restart: ask again
            return any(worker.hostname in reply for reply in replies)

        wait_until(answers, READY_SECONDS, f"worker {name} to answer ping")
        return worker

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()


@pytest.fixture
def celery_cluster(
    redis_server: RedisServer,
    postgres_database_url: str,
    scaled_lab: LabState,
    tmp_path: Path,
) -> Iterator[Cluster]:
    """Redis + a fresh PostgreSQL database (migrated); workers are started by each test."""
    import redis

    redis.Redis(port=redis_server.port).flushall()
    with Store(postgres_database_url) as store:
        store.upgrade()
    cluster = Cluster(
        redis_server, postgres_database_url, Path(scaled_lab.inventory_file), tmp_path
    )
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def tier_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabState]:
    """``TIER_DEVICES`` small switches and routers of the three tiers, one snmpsim agent."""
    require("lab", "the synthetic lab")
    if shutil.which("snmpbulkwalk") is None:
        pytest.skip("net-snmp tools are not installed (scripts/install-system-deps.sh)")
    from auditor.lab.synthetic import synthetic_city

    directory = tmp_path_factory.mktemp("tier-lab")
    scenario = directory / "scenario.json"
    city = synthetic_city(TIER_DEVICES, zones=TIERS, access_ports=4)
    scenario.write_text(city.model_dump_json(exclude_none=True), encoding="utf-8")
    state = lab_up(scenario, directory / "state", ssh_devices=0)
    try:
        _patient_snmp(Path(state.inventory_file))
        yield state
    finally:
        lab_down(directory / "state")


def _patient_snmp(inventory: Path) -> None:
    """Longer SNMP timeouts for the 1,000-device lab: one snmpsim process answers every device
    for three workers on two cores shared with other jobs, so a reply can take longer than a
    real switch's (2 s, one retry: a timed-out device would make the run rightly partial)."""
    import json

    data = json.loads(inventory.read_text(encoding="utf-8"))
    for device in data["devices"]:
        if device.get("snmp"):
            device["snmp"].update(timeout=10.0, retries=2)
    inventory.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def tier_cluster(
    redis_server: RedisServer,
    postgres_server_url: str,
    tier_lab: LabState,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    """Redis + one migrated PostgreSQL database for the module's 1,000-device tests."""
    with fresh_postgres_database(postgres_server_url) as url:
        with Store(url) as store:
            store.upgrade()
        cluster = Cluster(
            redis_server,
            url,
            Path(tier_lab.inventory_file),
            tmp_path_factory.mktemp("tier-cluster"),
            visibility=TIER_VISIBILITY,
        )
        try:
            yield cluster
        finally:
            cluster.stop()


@pytest.fixture
def fresh_tier_cluster(tier_cluster: Cluster) -> Iterator[Cluster]:
    """The module's cluster with an empty broker; the test's workers are stopped after it."""
    import redis

    redis.Redis(port=tier_cluster.redis.port).flushall()
    try:
        yield tier_cluster
    finally:
        tier_cluster.stop()
