"""Distributed collection with RabbitMQ as the Celery broker (Debian's rabbitmq-server).

The test setup starts a private RabbitMQ node: its own node name, AMQP and distribution ports, its
own Erlang port mapper (``epmd`` on a free port, a child of the test, so nothing outlives it), and
its Mnesia, log and cookie directories under the test's temporary directory. Readiness is an AMQP
connection that succeeds (the listener opens only once the node has booted): no fixed sleeps.

One worker on one queue collects the My Number tier's devices exactly once. Then the
acknowledgement-late semantics: RabbitMQ has no visibility timeout. A delivered, unacknowledged
message belongs to the consumer's channel; when the worker is SIGKILLed the kernel closes its TCP
connection, the broker sees the channel go and puts the message back at once (``redelivered``
set), so the next worker of the queue runs it. The store's unique (run_key, device) keeps that
re-run from writing twice.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from auditor.audit.inputs import load_bundle
from auditor.cli.app import build_app
from auditor.distributed.dispatch import dispatch, gather, wait_for_reports
from auditor.distributed.routing import queue_for
from auditor.lab.runner import LabState
from auditor.model.collection import FailureKind
from auditor.rules import discover
from auditor.store.handover import reports
from auditor.store.repository import Store
from tests.markers import require

from .conftest import POLICY, READY_SECONDS, Worker, _free_port, wait_until

pytestmark = [pytest.mark.celery, pytest.mark.postgres, pytest.mark.lab]

RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")
"""The real scripts (``/usr/sbin/rabbitmq-*`` only wrap them to switch to the rabbitmq user)."""
QUEUE = "mynumber"
BOOT_SECONDS = 180.0
START = re.compile(r"collect_device start run_key=(\w+) device=(\S+)")
DONE = re.compile(r"collect_device done run_key=(\w+) device=(\S+) written=True")


def make_app(broker: str) -> Any:
    """The Celery app (Celery is imported when these broker tests run, not at collection)."""
    from auditor.distributed.celery_app import make_app as celery_app

    return celery_app(broker)


def _written(workers: list[Worker], run_key: str) -> Counter[str]:
    """How many times each device's collection was written by ``workers`` (must be once)."""
    counts: Counter[str] = Counter()
    for worker in workers:
        for line in worker.lines():
            if (match := DONE.search(line)) and match.group(1) == run_key:
                counts[match.group(2)] += 1
    return counts


@dataclass
class RabbitServer:
    directory: Path
    port: int = field(default_factory=_free_port)
    dist_port: int = field(default_factory=_free_port)
    epmd_port: int = field(default_factory=_free_port)
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}//"

    def env(self) -> dict[str, str]:
        node = f"kyojin-test-{self.port}@localhost"
        return {
            **os.environ,
            "HOME": str(self.directory / "home"),  # the Erlang cookie of this node only
            "ERL_EPMD_PORT": str(self.epmd_port),
            "RABBITMQ_NODENAME": node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.directory / "log"),
            "RABBITMQ_PID_FILE": str(self.directory / "rabbitmq.pid"),
            "RABBITMQ_CONFIG_FILE": str(self.directory / "rabbitmq.conf"),
            "RABBITMQ_CONFIG_FILES": str(self.directory / "conf.d"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.directory / "enabled_plugins"),
        }

    def accepts_amqp(self) -> bool:
        import kombu

        for process in self.processes:
            assert process.poll() is None, f"rabbitmq exited: {self.log_tail()}"
        connection = kombu.Connection(self.url, connect_timeout=2)
        try:
            connection.connect()
            return bool(connection.connected)
        except Exception:  # refused, reset or an AMQP error while the node still boots
            return False
        finally:
            connection.release()

    def log_tail(self) -> str:
        found = sorted((self.directory / "log").glob("*.log"))
        text = found[0].read_text(errors="replace") if found else ""
        server = self.directory / "server.out"
        return (text + (server.read_text(errors="replace") if server.exists() else ""))[-3000:]

    def start(self) -> None:
        for sub in ("home", "mnesia", "log", "conf.d"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        (self.directory / "rabbitmq.conf").write_text("log.console = false\n")
        (self.directory / "enabled_plugins").write_text("[].\n")
        epmd = shutil.which("epmd")
        assert epmd is not None
        self.processes.append(
            subprocess.Popen(
                [epmd, "-port", str(self.epmd_port)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        )
        with (self.directory / "server.out").open("wb") as out:
            self.processes.append(
                subprocess.Popen(
                    [str(RABBIT_BIN / "rabbitmq-server")],
                    env=self.env(),
                    cwd=self.directory,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
        wait_until(self.accepts_amqp, BOOT_SECONDS, "rabbitmq-server to accept AMQP")

    def queue_depth(self, queue: str) -> tuple[int, int]:
        """(ready, consumers) of ``queue`` as the broker reports them (a passive declare)."""
        import kombu

        with kombu.Connection(self.url) as connection:
            reply = connection.default_channel.queue_declare(queue=queue, passive=True)
            return int(reply.message_count), int(reply.consumer_count)

    def stop(self) -> None:
        import signal

        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)
        self.processes.clear()


@pytest.fixture(scope="module")
def rabbitmq_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RabbitServer]:
    require("celery", "a RabbitMQ server")
    if not (RABBIT_BIN / "rabbitmq-server").exists() or shutil.which("epmd") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("rabbitmq-server is not installed (scripts/install-system-deps.sh)")
        pytest.skip("rabbitmq-server is not installed (scripts/install-system-deps.sh)")
    server = RabbitServer(tmp_path_factory.mktemp("rabbitmq"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@dataclass
class RabbitCluster:
    broker: RabbitServer
    db_url: str
    inventory: Path
    directory: Path
    workers: list[Worker] = field(default_factory=list)

    def start_worker(self, name: str) -> Worker:
        log = self.directory / f"{name}.log"
        env = {
            **os.environ,
            "AUDITOR_BROKER_URL": self.broker.url,
            "AUDITOR_DB_URL": self.db_url,
            "AUDITOR_POLICY": str(POLICY),
            "AUDITOR_INVENTORY": str(self.inventory),
            "AUDITOR_WORKER_QUEUES": QUEUE,
            "AUDITOR_REDACTION_SALT": "distributed-test",
            "AUDITOR_STATE_DIR": str(self.directory / "state"),
        }
        command = [sys.executable, "-m", "celery", "-A", "auditor.distributed.celery_app"]
        command += ["worker", "-Q", QUEUE, "-n", name, "--pool", "solo", "--loglevel", "INFO"]
        command += ["-f", str(log), "--without-gossip", "--without-mingle"]
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        worker = Worker(name, [QUEUE], log, process)
        self.workers.append(worker)
        app = make_app(self.broker.url)

        def answers() -> bool:
            assert process.poll() is None, f"worker {name} exited: {worker.lines()[-20:]}"
            replies = app.control.ping(destination=[worker.hostname], timeout=0.5) or []
            return any(worker.hostname in reply for reply in replies)

        wait_until(answers, READY_SECONDS, f"worker {name} to answer ping over AMQP")
        return worker


@pytest.fixture
def rabbitmq_cluster(
    rabbitmq_server: RabbitServer,
    postgres_database_url: str,
    scaled_lab: LabState,
    tmp_path: Path,
) -> Iterator[RabbitCluster]:
    with Store(postgres_database_url) as store:
        store.upgrade()
    cluster = RabbitCluster(
        rabbitmq_server, postgres_database_url, Path(scaled_lab.inventory_file), tmp_path
    )
    try:
        yield cluster
    finally:
        for worker in cluster.workers:
            worker.stop()
        import kombu

        with kombu.Connection(rabbitmq_server.url) as connection:  # no leftovers for the next
            connection.default_channel.queue_purge(QUEUE)


def _my_number_devices(cluster: RabbitCluster):  # type: ignore[no-untyped-def]
    inputs = load_bundle(POLICY, cluster.inventory, None, discover())
    devices = [d for d in inputs.inventory.devices if queue_for(d, inputs.policy) == QUEUE]
    return inputs, devices


def test_one_worker_on_rabbitmq_collects_every_device_exactly_once(
    rabbitmq_cluster: RabbitCluster,
) -> None:
    cluster = rabbitmq_cluster
    worker = cluster.start_worker("w-rabbit")
    inputs, devices = _my_number_devices(cluster)
    assert len(devices) >= 5
    sent = dispatch(make_app(cluster.broker.url), devices, inputs.policy)
    assert set(sent.queues) == {QUEUE}
    with Store(cluster.db_url) as store:
        assert wait_for_reports(store, sent, 300) == len(devices)
        collected = gather(store, sent)
        rows = reports(store, sent.run_key)
    assert not collected.errors or all(
        f.kind is not FailureKind.NOT_REPORTED for f in collected.errors
    )
    assert sorted(r.device for r in rows) == sorted(d.name for d in devices)
    assert {r.worker for r in rows} == {worker.hostname}
    assert {r.queue for r in rows} == {QUEUE}
    assert set(collected.snapshots) == {d.name for d in devices}
    written = _written([worker], sent.run_key)
    assert set(written) == {d.name for d in devices}
    assert set(written.values()) == {1}
    assert cluster.broker.queue_depth(QUEUE)[0] == 0  # every message acknowledged
    # ``auditor workers`` over AMQP: the worker answers on its queue, nothing is waiting.
    shown = CliRunner().invoke(
        build_app("en"),
        [
            "workers",
            "--broker",
            cluster.broker.url,
            "--policy",
            str(POLICY),
            "--inventory",
            str(cluster.inventory),
            "--format",
            "json",
        ],
    )
    assert shown.exit_code == 0, shown.output
    status = json.loads(shown.output)
    queues = {q["queue"]: q for q in status["queues"]}
    assert queues[QUEUE]["workers"] == [worker.hostname] and queues[QUEUE]["backlog"] == 0
    assert "guest:guest" not in shown.output


def test_a_sigkilled_worker_s_unacked_message_is_redelivered_at_once(
    rabbitmq_cluster: RabbitCluster,
) -> None:
    cluster = rabbitmq_cluster
    victim = cluster.start_worker("w-rabbit-victim")
    inputs, devices = _my_number_devices(cluster)
    # One device per message, so that the ready-message count after the kill says exactly which
    # devices the victim had not acknowledged (batches are tested by the test above).
    sent = dispatch(make_app(cluster.broker.url), devices, inputs.policy, batch=1)

    in_flight: list[str] = []
    done: set[str] = set()

    def victim_mid_task() -> bool:
        started: list[str] = []
        done.clear()
        for line in victim.lines():
            if (match := START.search(line)) and match.group(1) == sent.run_key:
                started.append(match.group(2))
            if (match := DONE.search(line)) and match.group(1) == sent.run_key:
                done.add(match.group(2))
        in_flight[:] = [d for d in started if d not in done]
        return bool(in_flight)

    wait_until(victim_mid_task, 120, "the worker to be in the middle of a task")
    victim.kill()
    victim_mid_task()  # what the victim finished before it died (read after the kill)
    # No visibility timeout: once the broker sees the dead connection, everything the victim had
    # not acknowledged is ready again (the one in flight included), with nobody consuming. (One
    # more when the victim died between its last "done" line and that task's acknowledgement.)
    unfinished = len(devices) - len(done)

    def requeued() -> bool:
        ready, consumers = cluster.broker.queue_depth(QUEUE)
        return consumers == 0 and unfinished <= ready <= unfinished + 1

    wait_until(requeued, 60, f"{unfinished} ready messages and no consumer after the SIGKILL")
    survivor = cluster.start_worker("w-rabbit-survivor")
    with Store(cluster.db_url) as store:
        assert wait_for_reports(store, sent, 300) == len(devices)
        rows = {r.device: r for r in reports(store, sent.run_key)}
        collected = gather(store, sent)
    assert not [f for f in collected.errors if f.kind is FailureKind.NOT_REPORTED]
    assert set(rows) == {d.name for d in devices}
    for device in in_flight:  # killed mid-task, acknowledged by nobody: run again elsewhere
        if device not in done:
            assert rows[device].worker == survivor.hostname
    written = _written([victim, survivor], sent.run_key)
    assert set(written) == set(rows)
    assert set(written.values()) == {1}
    redelivered = [line for line in survivor.lines() if "collect_device start" in line]
    assert len(redelivered) >= unfinished
