"""``mirrorctl explain POD [-n NS] [-o json]`` and ``mirrorctl explain md NAME [-o json]``.

Exit codes: 0 explained (whether or not it is mirrored), 1 not found or the cluster could not
be read, 2 bad usage or a bad setting.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from mirrorctl.cli.explain_args import ExplainRequest
from mirrorctl.cli.explain_cluster import ClusterReadError, cluster_view
from mirrorctl.cli.explain_destination import explain_destination
from mirrorctl.cli.explain_dryrun import DryRun
from mirrorctl.cli.explain_pod import PodExplainer
from mirrorctl.cli.explain_render import Explanation, render_json, render_text
from mirrorctl.cli.kubeconfig_namespace import default_namespace
from mirrorctl.cli.logs import error_line
from mirrorctl.cli.output import write_output
from mirrorctl.cli.paths import not_a_file
from mirrorctl.cli.settings import RunSettings
from mirrorctl.client import Client

__all__ = ["explain"]


async def _client(settings: RunSettings) -> Client:
    options: dict[str, Any] = {}
    if settings.qps is not None:
        options.update(qps=settings.qps, burst=settings.burst)
    if settings.in_cluster:
        return await Client.in_cluster(**options)
    return await Client.from_kubeconfig(settings.kubeconfig, settings.context, **options)


async def _explain(
    client: Client, settings: RunSettings, request: ExplainRequest, namespace: str, stderr: TextIO
) -> Explanation | None:
    cluster = settings.cluster_name
    name = request.target.name
    async with cluster_view(client, settings, stderr=stderr, timeout=request.timeout) as view:
        if request.target.kind == "md":
            return await explain_destination(view, name, cluster_name=cluster)
        explainer = PodExplainer(view, DryRun(view, cluster_name=cluster), cluster_name=cluster)
        return await explainer.explain(namespace, name)


async def explain(
    settings: RunSettings,
    request: ExplainRequest,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    target = request.target
    namespace = request.namespace or default_namespace(
        settings.kubeconfig, settings.context, in_cluster=settings.in_cluster
    )
    if target.kind == "pod" and settings.namespace not in (None, namespace):
        print(
            f"mirrorctl: the controller is set to watch namespace {settings.namespace!r} only "
            f"(namespace setting); pod {namespace}/{target.name} is outside it and never "
            "mirrored",
            file=err,
        )
        return 1
    problem = None if settings.kubeconfig is None else not_a_file(settings.kubeconfig)
    if problem is not None:
        print(f"mirrorctl: kubeconfig {settings.kubeconfig} {problem}", file=err)
        return 1
    try:
        client = await _client(settings)
    except Exception as error:  # kubernetes-asyncio raises its own errors for bad kubeconfigs
        print(f"mirrorctl: cannot load the cluster configuration: {error_line(error)}", file=err)
        return 1
    try:
        explanation = await _explain(client, settings, request, namespace, err)
    except ClusterReadError as error:
        print(f"mirrorctl: {error_line(error)}", file=err)
        return 1
    finally:
        await client.close()
    if explanation is None:
        what = (
            f"MirrorDestination {target.name}"
            if target.kind == "md"
            else f"pod {namespace}/{target.name}"
        )
        print(f"mirrorctl: {what} not found", file=err)
        return 1
    render = render_json if request.output == "json" else render_text
    write_output(out, render(explanation))
    return 0
