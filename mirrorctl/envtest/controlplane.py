"""A real etcd and kube-apiserver on free loopback ports: our envtest.

There is no controller-manager, scheduler or kubelet: pods stay Pending, nothing garbage-collects,
namespaces stay Terminating once deleted, and the ServiceAccount admission plugin is off because
no token controller would ever satisfy it. Tests write what a kubelet or CNI would write (pod
status, network-status annotations) themselves.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import secrets
import shutil
import socket
import ssl
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from mirrorctl.envtest.binaries import Binaries, ensure_binaries
from mirrorctl.envtest.certs import Certificates, write_certificates
from mirrorctl.envtest.kubeconfig import Identity, write_kubeconfig
from mirrorctl.envtest.process import ManagedProcess

__all__ = ["CONTROLLER_USER", "ControlPlane", "ControlPlaneError"]

CONTROLLER_USER = "system:serviceaccount:mirrorctl-system:mirrorctl"


class ControlPlaneError(RuntimeError):
    pass


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _scratch_root() -> str | None:
    # etcd fsyncs every write; on tmpfs that costs nothing and tests run several times faster.
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and shm.stat().st_mode & 0o002 else None


class ControlPlane:
    """Start with :meth:`start` (or as a context manager); always :meth:`stop`."""

    def __init__(self, binaries: Binaries | None = None, *, ready_timeout: float = 90.0) -> None:
        self._binaries = binaries
        self._ready_timeout = ready_timeout
        self._dir: Path | None = None
        self._etcd: ManagedProcess | None = None
        self._apiserver: ManagedProcess | None = None
        self._certs: Certificates | None = None
        self.etcd_url = ""
        self.url = ""
        self.identities: dict[str, Identity] = {}
        self.kubeconfigs: dict[str, Path] = {}

    # -- public surface -------------------------------------------------------------------

    @property
    def directory(self) -> Path:
        if self._dir is None:
            raise ControlPlaneError("control plane not started")
        return self._dir

    @property
    def admin_kubeconfig(self) -> Path:
        return self.kubeconfigs["admin"]

    @property
    def controller_kubeconfig(self) -> Path:
        return self.kubeconfigs["controller"]

    @property
    def ca_cert(self) -> Path:
        assert self._certs is not None
        return self._certs.ca_cert

    @property
    def client_ca(self) -> tuple[Path, Path]:
        """The certificate and key of the CA the apiserver trusts for client certificates."""
        assert self._certs is not None
        return self._certs.client_ca_cert, self._certs.client_ca_key

    @property
    def apiserver_pid(self) -> int | None:
        return self._apiserver.pid if self._apiserver else None

    @property
    def etcd_pid(self) -> int | None:
        return self._etcd.pid if self._etcd else None

    def start(self) -> ControlPlane:
        binaries = self._binaries or ensure_binaries()
        self._dir = Path(tempfile.mkdtemp(prefix="mirrorctl-envtest-", dir=_scratch_root()))
        atexit.register(self.stop)
        try:
            self._certs = write_certificates(self._dir)
            self._start_etcd(binaries)
            self._configure_apiserver(binaries)
            self.start_apiserver()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for proc in (self._apiserver, self._etcd):
            if proc is not None:
                proc.stop()
        self._apiserver = self._etcd = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        atexit.unregister(self.stop)

    def __enter__(self) -> ControlPlane:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- fault injection ------------------------------------------------------------------

    def stop_apiserver(self) -> None:
        if self._apiserver:
            self._apiserver.stop()

    def start_apiserver(self) -> None:
        if self._apiserver is None:
            raise ControlPlaneError("control plane not started")
        self._apiserver.start()
        self._wait_ready()

    def restart_apiserver(self) -> None:
        """Restart kube-apiserver on the same etcd, port and credentials.

        Returns once the new process authorizes the controller identity as the old one did:
        ``/readyz`` turns ready a moment before the RBAC authorizer has loaded every binding,
        and in that moment the controller would see 403s that no real restart shows for long.
        """
        before = self._controller_access()
        self.stop_apiserver()
        self.start_apiserver()
        deadline = time.monotonic() + self._ready_timeout
        while self._controller_access() != before:
            if time.monotonic() > deadline:
                raise ControlPlaneError("RBAC did not come back after the apiserver restart")
            time.sleep(0.1)

    async def arestart_apiserver(self) -> None:
        await asyncio.to_thread(self.restart_apiserver)

    def pause_apiserver(self) -> None:
        """SIGSTOP: connections stay open but nothing answers."""
        if self._apiserver:
            self._apiserver.pause()

    def resume_apiserver(self) -> None:
        if self._apiserver:
            self._apiserver.resume()

    def compact_etcd(self) -> int:
        """Compact etcd to its current revision, so every older watch gets 410 Gone.

        The apiserver's watch cache keeps serving recent history until it notices, so callers that
        need a 410 should also restart the apiserver or wait for the cache window to pass.
        """
        header = self._etcd_call("/v3/kv/range", {"key": "AA==", "limit": 1})["header"]
        revision = int(header["revision"])
        try:
            self._etcd_call("/v3/kv/compaction", {"revision": revision, "physical": True})
        except urllib.error.HTTPError as e:
            # Compacting to where etcd already is (no write since the last call) is done.
            if b"compacted" not in e.read():
                raise
        return revision

    _ACCESS_PROBES = (
        {"verb": "list", "resource": "pods"},
        {"verb": "patch", "group": "core.contrail.juniper.net", "resource": "virtualmachines"},
    )

    def _controller_access(self) -> tuple[bool, ...]:
        """What RBAC lets the controller identity do, on a few probes."""
        assert self._certs is not None
        ctx = ssl.create_default_context(cafile=str(self._certs.ca_cert))
        answers = []
        for attributes in self._ACCESS_PROBES:
            body = {
                "apiVersion": "authorization.k8s.io/v1",
                "kind": "SelfSubjectAccessReview",
                "spec": {"resourceAttributes": attributes},
            }
            request = urllib.request.Request(
                self.url + "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                data=json.dumps(body).encode(),
                headers={
                    "Authorization": f"Bearer {self.identities['controller'].token}",
                    "Content-Type": "application/json",
                },
            )
            with urllib.request.urlopen(request, timeout=10, context=ctx) as r:
                answers.append(bool(json.loads(r.read())["status"].get("allowed")))
        return tuple(answers)

    # -- internals ------------------------------------------------------------------------

    def _etcd_call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        request = urllib.request.Request(
            self.etcd_url + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            result: dict[str, Any] = json.loads(response.read())
            return result

    def _start_etcd(self, binaries: Binaries) -> None:
        client_port, peer_port = _free_port(), _free_port()
        self.etcd_url = f"http://127.0.0.1:{client_port}"
        peer = f"http://127.0.0.1:{peer_port}"
        self._etcd = ManagedProcess(
            "etcd",
            [
                str(binaries.etcd),
                "--name=envtest",
                f"--data-dir={self.directory / 'etcd'}",
                f"--listen-client-urls={self.etcd_url}",
                f"--advertise-client-urls={self.etcd_url}",
                f"--listen-peer-urls={peer}",
                f"--initial-advertise-peer-urls={peer}",
                f"--initial-cluster=envtest={peer}",
                "--log-level=warn",
                "--logger=zap",
            ],
            self.directory / "etcd.log",
        )
        self._etcd.start()
        deadline = time.monotonic() + self._ready_timeout
        while time.monotonic() < deadline:
            if not self._etcd.running():
                raise ControlPlaneError(f"etcd exited:\n{self._etcd.log_tail()}")
            try:
                with urllib.request.urlopen(self.etcd_url + "/health", timeout=2) as r:
                    if json.loads(r.read()).get("health") == "true":
                        return
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        raise ControlPlaneError(f"etcd not healthy in time:\n{self._etcd.log_tail()}")

    def _configure_apiserver(self, binaries: Binaries) -> None:
        assert self._certs is not None
        port = _free_port()
        self.url = f"https://127.0.0.1:{port}"
        self.identities = {
            "admin": Identity("admin", "admin", ("system:masters",), secrets.token_hex(24)),
            "controller": Identity(
                "controller",
                CONTROLLER_USER,
                ("system:serviceaccounts", "system:serviceaccounts:mirrorctl-system"),
                secrets.token_hex(24),
            ),
        }
        tokens = self.directory / "tokens.csv"
        tokens.write_text("".join(i.token_file_line() + "\n" for i in self.identities.values()))
        tokens.chmod(0o600)
        ca_pem = self._certs.ca_cert.read_bytes()
        self.kubeconfigs = {
            name: write_kubeconfig(self.directory / f"{name}.kubeconfig", self.url, ca_pem, ident)
            for name, ident in self.identities.items()
        }
        certs = self._certs
        self._apiserver = ManagedProcess(
            "kube-apiserver",
            [
                str(binaries.kube_apiserver),
                f"--etcd-servers={self.etcd_url}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={port}",
                "--insecure-port=0",
                f"--cert-dir={self.directory / 'certs'}",
                f"--tls-cert-file={certs.serving_cert}",
                f"--tls-private-key-file={certs.serving_key}",
                f"--token-auth-file={tokens}",
                f"--client-ca-file={certs.client_ca_cert}",
                "--authorization-mode=RBAC",
                f"--service-account-key-file={certs.sa_public_key}",
                f"--service-account-signing-key-file={certs.sa_private_key}",
                "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                "--service-cluster-ip-range=10.0.0.0/24",
                "--disable-admission-plugins=ServiceAccount",
                "--endpoint-reconciler-type=none",
                "--enable-priority-and-fairness=false",
                "--allow-privileged=true",
                "--profiling=false",
                "--v=1",
            ],
            self.directory / "kube-apiserver.log",
        )

    def _wait_ready(self) -> None:
        assert self._apiserver is not None
        assert self._certs is not None
        ctx = ssl.create_default_context(cafile=str(self._certs.ca_cert))
        token = self.identities["admin"].token
        deadline = time.monotonic() + self._ready_timeout
        last = ""
        while time.monotonic() < deadline:
            if not self._apiserver.running():
                raise ControlPlaneError(
                    f"kube-apiserver exited ({self._apiserver.exit_code()}):\n"
                    f"{self._apiserver.log_tail()}"
                )
            request = urllib.request.Request(
                self.url + "/readyz", headers={"Authorization": f"Bearer {token}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=5, context=ctx) as r:
                    if r.status == 200:
                        return
            except urllib.error.HTTPError as e:
                last = f"HTTP {e.code}"
            except OSError as e:
                last = str(e)
            time.sleep(0.2)
        raise ControlPlaneError(
            f"kube-apiserver not ready in {self._ready_timeout:.0f}s ({last}):\n"
            f"{self._apiserver.log_tail()}"
        )
