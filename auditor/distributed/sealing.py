"""Sealing of collection bundles: signed by the collector, then encrypted to the central side.

A collector inside an isolated tier (My Number) may not open a connection outward, so its results
leave as a file. The file must prove who wrote it (a stolen drop folder must not let anyone feed
the audit) and keep the redacted configurations confidential on the way. The construction is
sign-then-encrypt, documented in ``docs/distributed.md``::

    file      = MAGIC | u32 len(header) | header | ciphertext
    header    = canonical JSON {"collector", "ephemeral", "format", "nonce", "recipient"}
    key       = HKDF-SHA256(X25519(ephemeral, central), salt=ephemeral_pub | central_pub,
                            info=INFO)
    plaintext = u32 len(payload) | payload | Ed25519 signature (64 bytes)
    signature = Ed25519_sign(collector, SIG_DOMAIN | header | payload)
    ciphertext= AES-256-GCM(key, nonce, plaintext, aad = MAGIC | u32 | header)

The signature covers the header, so a bundle cannot be re-addressed to another central key or
another collector id without breaking it; the AEAD covers every byte of the file, so one flipped
byte anywhere is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"KJBUNDL1"
FORMAT = 1
INFO = b"kyojin-auditor collection bundle v1 key"
SIG_DOMAIN = b"kyojin-auditor collection bundle v1 signature\x00"
SIGNATURE_BYTES = 64
MAX_HEADER_BYTES = 4096
COLLECTOR_PUB_TAG = "kyojin-collector-ed25519"
CENTRAL_PUB_TAG = "kyojin-central-x25519"


class BundleError(Exception):
    """A bundle that must not be imported; ``code`` names why, the messages say it (en, ja)."""

    def __init__(self, code: str, en: str, ja: str) -> None:
        super().__init__(en)
        self.code = code
        self.en = en
        self.ja = ja

    def text(self, lang: str) -> str:
        return self.ja if lang == "ja" else self.en


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def key_id(public_raw: bytes) -> str:
    """A short, stable name of a public key (the first 16 hex digits of its SHA-256)."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


# -- keys -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CollectorKey:
    collector_id: str
    private: Ed25519PrivateKey


@dataclass(frozen=True)
class CollectorPublic:
    collector_id: str
    public: Ed25519PublicKey


def _write_private(path: Path, pem: bytes) -> None:
    """0600 from the first byte: the key is never readable by others, not even briefly."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    path.chmod(0o600)


def _private_pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _raw_public(key: Ed25519PublicKey | X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


COLLECTOR_KEY_FILE = "collector.key"
COLLECTOR_PUB_FILE = "collector.pub"
CENTRAL_KEY_FILE = "central.key"
CENTRAL_PUB_FILE = "central.pub"
TRUSTED_DIR = "trusted"
SEQUENCE_FILE = "sequence"


def init_collector(directory: Path, collector_id: str) -> Path:
    """Create a collector's Ed25519 key pair in ``directory``; returns the public key file."""
    if not collector_id or any(c.isspace() for c in collector_id) or "/" in collector_id:
        raise ValueError(f"invalid collector id {collector_id!r}")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = Ed25519PrivateKey.generate()
    _write_private(directory / COLLECTOR_KEY_FILE, _private_pem(private))
    public = directory / COLLECTOR_PUB_FILE
    raw = _raw_public(private.public_key())
    public.write_text(f"{COLLECTOR_PUB_TAG} {_b64(raw)} {collector_id}\n", encoding="utf-8")
    return public


def init_central(directory: Path) -> Path:
    """Create the central side's X25519 key pair and its ``trusted/`` folder."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    private = X25519PrivateKey.generate()
    _write_private(directory / CENTRAL_KEY_FILE, _private_pem(private))
    (directory / TRUSTED_DIR).mkdir(exist_ok=True, mode=0o700)
    public = directory / CENTRAL_PUB_FILE
    public.write_text(f"{CENTRAL_PUB_TAG} {_b64(_raw_public(private.public_key()))}\n", "utf-8")
    return public


def _read_private(path: Path) -> object:
    if path.stat().st_mode & 0o077:
        raise ValueError(f"{path} is readable by others: chmod 600 {path}")
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def read_collector_public(path: Path) -> CollectorPublic:
    parts = path.read_text(encoding="utf-8").split()
    if len(parts) != 3 or parts[0] != COLLECTOR_PUB_TAG:
        raise ValueError(f"{path}: not a collector public key ({COLLECTOR_PUB_TAG} KEY ID)")
    return CollectorPublic(parts[2], Ed25519PublicKey.from_public_bytes(_unb64(parts[1])))


def load_collector(directory: Path) -> CollectorKey:
    public = read_collector_public(directory / COLLECTOR_PUB_FILE)
    private = _read_private(directory / COLLECTOR_KEY_FILE)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{directory / COLLECTOR_KEY_FILE} is not an Ed25519 key")
    if _raw_public(private.public_key()) != _raw_public(public.public):
        raise ValueError(f"{directory}: collector.key and collector.pub do not belong together")
    return CollectorKey(public.collector_id, private)


def read_central_public(path: Path) -> X25519PublicKey:
    parts = path.read_text(encoding="utf-8").split()
    if len(parts) != 2 or parts[0] != CENTRAL_PUB_TAG:
        raise ValueError(f"{path}: not a central public key ({CENTRAL_PUB_TAG} KEY)")
    return X25519PublicKey.from_public_bytes(_unb64(parts[1]))


def load_central(directory: Path) -> X25519PrivateKey:
    private = _read_private(directory / CENTRAL_KEY_FILE)
    if not isinstance(private, X25519PrivateKey):
        raise ValueError(f"{directory / CENTRAL_KEY_FILE} is not an X25519 key")
    return private


def load_trusted(directory: Path) -> dict[str, Ed25519PublicKey]:
    """Collector id → public key, from every ``*.pub`` in the central's ``trusted/`` folder."""
    trusted: dict[str, Ed25519PublicKey] = {}
    folder = directory / TRUSTED_DIR
    if folder.is_dir():
        for path in sorted(folder.glob("*.pub")):
            public = read_collector_public(path)
            trusted[public.collector_id] = public.public
    return trusted


def next_sequence(directory: Path) -> int:
    """The collector's next bundle number, kept in ``sequence`` under an exclusive lock."""
    import fcntl

    path = directory / SEQUENCE_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+", encoding="ascii") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        text = handle.read().strip()
        number = (int(text) if text else 0) + 1
        handle.seek(0)
        handle.truncate()
        handle.write(f"{number}\n")
        handle.flush()
        os.fsync(handle.fileno())
    return number


# -- sealing --------------------------------------------------------------------------------


def _derive(shared: bytes, ephemeral_raw: bytes, recipient_raw: bytes) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_raw + recipient_raw, info=INFO)
    return hkdf.derive(shared)


def seal(payload: bytes, collector: CollectorKey, recipient: X25519PublicKey) -> bytes:
    """Sign ``payload`` with the collector's key, then encrypt it to ``recipient``."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = _raw_public(ephemeral.public_key())
    recipient_raw = _raw_public(recipient)
    nonce = os.urandom(12)
    header = json.dumps(
        {
            "collector": collector.collector_id,
            "ephemeral": _b64(ephemeral_raw),
            "format": FORMAT,
            "nonce": _b64(nonce),
            "recipient": key_id(recipient_raw),
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")
    prefix = MAGIC + struct.pack(">I", len(header)) + header
    signature = collector.private.sign(SIG_DOMAIN + header + payload)
    plaintext = struct.pack(">I", len(payload)) + payload + signature
    key = _derive(ephemeral.exchange(recipient), ephemeral_raw, recipient_raw)
    return prefix + AESGCM(key).encrypt(nonce, plaintext, prefix)


def _refuse(code: str, en: str, ja: str) -> BundleError:
    return BundleError(code, en, ja)


def peek_collector(data: bytes) -> str:
    """The collector id a bundle claims (unauthenticated until :func:`unseal` succeeds)."""
    return str(_header(data)[0]["collector"])


def _header(data: bytes) -> tuple[dict[str, object], bytes, int]:
    if len(data) < len(MAGIC) + 4:
        raise _refuse(
            "truncated",
            "the file is too short to be a collection bundle (truncated?)",
            "ファイルが短すぎます。収集バンドルではないか、途中で切れています",
        )
    if data[: len(MAGIC)] != MAGIC:
        raise _refuse(
            "not_a_bundle",
            "not a Kyojin collection bundle (unknown file signature)",
            "Kyojin の収集バンドルではありません(ファイル形式が不明)",
        )
    (length,) = struct.unpack(">I", data[len(MAGIC) : len(MAGIC) + 4])
    end = len(MAGIC) + 4 + length
    if length > MAX_HEADER_BYTES or end > len(data):
        raise _refuse(
            "truncated",
            "the bundle header is cut off or damaged",
            "バンドルのヘッダが途中で切れているか破損しています",
        )
    try:
        header = json.loads(data[len(MAGIC) + 4 : end].decode("utf-8"))
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError("format")
        for name in ("collector", "ephemeral", "nonce", "recipient"):
            if not isinstance(header.get(name), str):
                raise ValueError(name)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _refuse(
            "tampered",
            "the bundle header is damaged or was altered",
            "バンドルのヘッダが破損しているか改ざんされています",
        ) from exc
    return header, data[len(MAGIC) + 4 : end], end


def unseal(
    data: bytes, central: X25519PrivateKey, trusted: dict[str, Ed25519PublicKey]
) -> tuple[str, bytes]:
    """Decrypt and verify a bundle; returns (collector id, payload) or raises :class:`BundleError`.

    The order is fixed so that every refusal names its real cause: unknown collector and wrong
    recipient first (from the header), then the AEAD (any flipped or missing byte), then the
    collector's signature (a bundle sealed by someone who only knows the central public key).
    """
    header, header_bytes, end = _header(data)
    collector_id = str(header["collector"])
    public = trusted.get(collector_id)
    if public is None:
        raise _refuse(
            "unknown_collector",
            f"collector {collector_id!r} is not trusted: put its collector.pub into the central "
            "key folder's trusted/ (after checking it with the collector's administrator)",
            f"収集器 {collector_id!r} は信頼されていません。収集器の管理者と確認のうえ、その "
            "collector.pub を中央側の鍵フォルダの trusted/ に置いてください",
        )
    recipient_raw = _raw_public(central.public_key())
    if header["recipient"] != key_id(recipient_raw):
        raise _refuse(
            "wrong_key",
            f"the bundle is encrypted for another central key ({header['recipient']}); this "
            f"central key is {key_id(recipient_raw)}",
            f"このバンドルは別の中央鍵 ({header['recipient']}) 宛てに暗号化されています"
            f"(この中央鍵は {key_id(recipient_raw)})",
        )
    try:
        ephemeral_raw = _unb64(str(header["ephemeral"]))
        nonce = _unb64(str(header["nonce"]))
        ephemeral = X25519PublicKey.from_public_bytes(ephemeral_raw)
        key = _derive(central.exchange(ephemeral), ephemeral_raw, recipient_raw)
        plaintext = AESGCM(key).decrypt(nonce, data[end:], data[:end])
    except (InvalidTag, ValueError) as exc:
        raise _refuse(
            "tampered",
            "the bundle does not decrypt: it was altered, truncated or sealed with another key",
            "バンドルを復号できません。改ざん・欠損しているか、別の鍵で封印されています",
        ) from exc
    (length,) = struct.unpack(">I", plaintext[:4])
    payload = plaintext[4 : 4 + length]
    signature = plaintext[4 + length :]
    if len(payload) != length or len(signature) != SIGNATURE_BYTES:
        raise _refuse(
            "tampered",
            "the bundle's signed content is malformed",
            "バンドルの署名対象の形式が不正です",
        )
    try:
        public.verify(signature, SIG_DOMAIN + header_bytes + payload)
    except InvalidSignature as exc:
        raise _refuse(
            "bad_signature",
            f"the signature does not match collector {collector_id!r}'s trusted key: the bundle "
            "was not written by that collector",
            f"署名が収集器 {collector_id!r} の信頼済み公開鍵と一致しません。"
            "この収集器が作成したバンドルではありません",
        ) from exc
    return collector_id, payload
