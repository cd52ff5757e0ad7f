"""Key material given inline (`*-data`) written to private files, since TLS loads from paths."""

from __future__ import annotations

import atexit
import base64
import binascii
import functools
import hashlib
import os
import shutil
import ssl
import tempfile
from pathlib import Path

from mirrorctl.client.kubeconfig_error import KubeconfigError

__all__ = ["KeyMaterial", "decode_data", "default_key_material", "load_key_pair"]


def decode_data(value: object, field: str, owner: str) -> bytes:
    """The bytes of a base64 `*-data` field; `owner` names the entry (e.g. `user "alice"`)."""
    if not isinstance(value, str) or not value.strip():
        raise KubeconfigError(f"{field} of {owner} must be a non-empty base64 string")
    try:
        return base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise KubeconfigError(f"{field} of {owner} is not valid base64") from None


class KeyMaterial:
    """A private directory (mode 0700) of content-addressed files (mode 0600).

    The same bytes always map to the same file, so loading a kubeconfig again (or building
    many clients from it) does not leave a file per call.
    """

    __slots__ = ("_directory",)

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self._directory = Path(directory)

    def __repr__(self) -> str:
        return f"KeyMaterial({str(self._directory)!r})"

    @property
    def directory(self) -> Path:
        return self._directory

    def write(self, data: bytes, suffix: str) -> str:
        path = self._directory / (hashlib.sha256(data).hexdigest()[:40] + suffix)
        if path.exists():
            return str(path)
        # Written under a unique name then renamed, so a reader never sees a partial file.
        fd, temporary = tempfile.mkstemp(dir=self._directory, prefix=".partial-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return str(path)

    def load_key_pair(self, context: ssl.SSLContext, certificate: bytes, key: bytes) -> None:
        """Make ``certificate`` and ``key`` (PEM) the client key pair of ``context`` for its
        later handshakes. The files OpenSSL reads them from are removed once read: a rotating
        certificate must not leave a file per rotation."""
        paths = []
        try:
            for data, suffix in ((certificate, ".crt"), (key, ".key")):
                fd, path = tempfile.mkstemp(dir=self._directory, prefix=".pair-", suffix=suffix)
                paths.append(path)
                with os.fdopen(fd, "wb") as file:  # mkstemp creates it 0600
                    file.write(data)
            context.load_cert_chain(paths[0], keyfile=paths[1])
        finally:
            for path in paths:
                Path(path).unlink(missing_ok=True)


def load_key_pair(context: ssl.SSLContext, certificate: bytes, key: bytes) -> None:
    """`KeyMaterial.load_key_pair` in the process's key directory."""
    default_key_material().load_key_pair(context, certificate, key)


@functools.cache
def default_key_material() -> KeyMaterial:
    """The process's key directory, created on first use and removed at interpreter exit."""
    directory = tempfile.mkdtemp(prefix="mirrorctl-keys-")  # mkdtemp makes it 0700
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return KeyMaterial(directory)
