from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from mirrorctl.envtest import ControlPlane

pytestmark = pytest.mark.integration


def _request(cp: ControlPlane, identity: str, method: str, path: str, body: Any = None) -> Any:
    ctx = ssl.create_default_context(cafile=str(cp.ca_cert))
    request = urllib.request.Request(
        cp.url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Authorization": f"Bearer {cp.identities[identity].token}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=10, context=ctx) as r:
        return json.loads(r.read())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_second_instance_starts_beside_the_first_and_leaves_nothing(
    control_plane: ControlPlane,
) -> None:
    other = ControlPlane().start()
    pids = [other.apiserver_pid, other.etcd_pid]
    directory = other.directory
    assert other.url != control_plane.url
    assert _request(other, "admin", "GET", "/version")["gitVersion"].startswith("v1.20")
    other.stop()
    assert not any(_alive(pid) for pid in pids if pid is not None)
    assert not directory.exists()
    # The session's instance was not disturbed.
    assert _request(control_plane, "admin", "GET", "/version")["gitVersion"].startswith("v1.20")


def test_kubeconfigs_are_private_and_name_the_server(control_plane: ControlPlane) -> None:
    for path in (control_plane.admin_kubeconfig, control_plane.controller_kubeconfig):
        assert Path(path).stat().st_mode & 0o077 == 0
        assert control_plane.url in Path(path).read_text()


def test_controller_identity_is_refused_what_rbac_does_not_grant(
    control_plane: ControlPlane,
) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        _request(control_plane, "controller", "GET", "/api/v1/namespaces/default/secrets")
    assert refused.value.code == 403
    review = _request(
        control_plane,
        "controller",
        "POST",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"verb": "create", "resource": "pods"}},
        },
    )
    assert review["status"]["allowed"] is False


def test_restart_keeps_data_and_compaction_expires_old_revisions(
    control_plane: ControlPlane,
) -> None:
    created = _request(
        control_plane,
        "admin",
        "POST",
        "/api/v1/namespaces/default/configmaps",
        {"metadata": {"generateName": "restart-"}, "data": {"k": "v"}},
    )
    name = created["metadata"]["name"]
    old_rv = created["metadata"]["resourceVersion"]
    control_plane.restart_apiserver()
    again = _request(control_plane, "admin", "GET", f"/api/v1/namespaces/default/configmaps/{name}")
    assert again["data"] == {"k": "v"}
    _request(
        control_plane,
        "admin",
        "PUT",
        f"/api/v1/namespaces/default/configmaps/{name}",
        {**again, "data": {"k": "w"}},
    )
    revision = control_plane.compact_etcd()
    assert revision > int(old_rv)
    # A restart empties the watch cache, so the compaction is what the next watch sees.
    control_plane.restart_apiserver()
    # The apiserver answers a too-old watch either with HTTP 410 or with a 410 ERROR event.
    try:
        event = _request(
            control_plane,
            "admin",
            "GET",
            f"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={old_rv}"
            "&timeoutSeconds=1",
        )
    except urllib.error.HTTPError as e:
        code = e.code
    else:
        code = 0
        assert event["type"] == "ERROR"
        assert event["object"]["code"] == 410
    assert code in (0, 410)
