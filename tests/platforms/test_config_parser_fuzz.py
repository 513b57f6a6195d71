"""No exception escapes a platform parser, whatever the configuration text (issue 14 item 3).

Seeded and bounded: 200 mutations per platform (lines deleted, duplicated, truncated, swapped,
random bytes inserted) of the corpus in ``fuzz_corpus/`` (written for these tests) and, where the
workplace has them, of the real configurations in ``realdata/configs``.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from auditor.platforms.registry import profile_for, profiles
from tests.platforms.realdata_configs import PLATFORM_DIRS, config_files

CORPUS = Path(__file__).parent / "fuzz_corpus"
MUTATIONS = 200
SALT = b"fuzz"
REALDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "realdata" / "configs"


def _seeds(platform: str) -> list[str]:
    seeds = [(CORPUS / f"{platform}.cfg").read_text(encoding="utf-8")]
    if REALDATA.is_dir() and platform in PLATFORM_DIRS:
        seeds += [
            path.read_bytes().decode("utf-8", errors="replace")
            for found, path in config_files(REALDATA)
            if found == platform
        ]
    return seeds


def mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 6)):
        if not lines:
            lines = [""]
        index = rng.randrange(len(lines))
        action = rng.randrange(6)
        if action == 0:
            del lines[index]
        elif action == 1:
            lines.insert(index, lines[index])
        elif action == 2:
            lines[index] = lines[index][: rng.randrange(len(lines[index]) + 1)]
        elif action == 3:
            other = rng.randrange(len(lines))
            lines[index], lines[other] = lines[other], lines[index]
        elif action == 4:
            noise = bytes(rng.randrange(256) for _ in range(rng.randint(1, 24)))
            position = rng.randrange(len(lines[index]) + 1)
            decoded = noise.decode("latin-1")
            lines[index] = lines[index][:position] + decoded + lines[index][position:]
        else:
            words = lines[index].split(" ")
            if words:
                words[rng.randrange(len(words))] = rng.choice(
                    ["999.1.1.1", "111.111.111.111 111.111.111.111", "-", "4095", "x/y", '"', ""]
                )
            lines[index] = " ".join(words)
    return "\n".join(lines)


@pytest.mark.parametrize("platform", sorted(profiles()))
def test_no_exception_escapes_the_parser_of_mutated_configurations(platform: str) -> None:
    profile = profile_for(platform)
    assert profile is not None
    rng = random.Random(f"kyojin-fuzz-{platform}")  # deterministic per platform
    seeds = _seeds(platform)
    for number in range(MUTATIONS):
        text = mutate(seeds[number % len(seeds)], rng)
        try:
            profile.parse({profile.config_command: text}, salt=SALT)
        except Exception as exc:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{platform} mutation {number}: {type(exc).__name__}: {exc}\n{text}")
