from __future__ import annotations

from typing import cast

from mirrorctl.cli.explain_cluster import sync_status
from mirrorctl.client.resources import PODS
from mirrorctl.informers.interface import ListerWatcher
from mirrorctl.informers.shared import SharedInformer
from mirrorctl.mirroring.resources import contrail_resources


def test_the_progress_line_names_what_is_still_being_read() -> None:
    never_called = cast(ListerWatcher, object())
    pods = SharedInformer(never_called, PODS)
    mds = SharedInformer(never_called, contrail_resources().mirror_destinations)
    pods.store.add({"metadata": {"name": "p", "namespace": "ns", "resourceVersion": "1"}})
    assert sync_status([pods, mds], 3.2) == (
        "reading the cluster: 0/2 resources listed (1 objects), waiting for pods, "
        "mirrordestinations.core.contrail.juniper.net (3s)"
    )
