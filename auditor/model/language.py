"""The two languages every user-facing text comes in (Japanese first)."""

from typing import Literal

Lang = Literal["ja", "en"]
