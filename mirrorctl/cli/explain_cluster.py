"""The cluster as the controller sees it: the same manager wiring as ``mirrorctl run``
(``setup_mirroring`` with the same settings: indexes, key mapping, namespace scope), with only
its informers started; its controllers never run and nothing is written."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import TextIO

import aiohttp

from mirrorctl.cli.progress import Progress
from mirrorctl.cli.run import mirroring_settings
from mirrorctl.cli.settings import RunSettings
from mirrorctl.client import ApiError, Client, ForbiddenError, NotFoundError, UnauthorizedError
from mirrorctl.informers.shared import SharedInformer, resource_label
from mirrorctl.manager.manager import Manager
from mirrorctl.manager.options import ManagerOptions
from mirrorctl.reconcilers import setup_mirroring
from mirrorctl.reconcilers.view import MirroringView

__all__ = ["ClusterReadError", "cluster_view", "sync_status"]


class ClusterReadError(Exception):
    """The cluster could not be read; the message says what to do."""


async def _probe(client: Client, informer: SharedInformer) -> None:
    """One small list per resource, so a missing permission or CRD is reported at once and by
    name, instead of an informer retrying it in the background until the deadline."""
    res = informer.resource
    label = resource_label(res)
    try:
        await client.list(res, informer.namespace, limit=1)
    except ForbiddenError as err:
        raise ClusterReadError(
            f"not allowed to list {label}: {err.message} (explain reads what the controller "
            "reads: pods, mirrordestinations, virtualmachines, virtualmachineinterfaces and "
            "instanceips)"
        ) from None
    except UnauthorizedError as err:
        raise ClusterReadError(f"the apiserver does not accept the credentials: {err}") from None
    except NotFoundError:
        raise ClusterReadError(
            f"the apiserver does not serve {label} at {res.api_version}: are the CRDs "
            "installed (mirrorctl manifests | kubectl apply -f -), and is "
            "--contrail-api-version right?"
        ) from None
    except ApiError as err:
        raise ClusterReadError(f"listing {label} failed: {err}") from None
    except (TimeoutError, aiohttp.ClientError, OSError) as err:
        raise ClusterReadError(
            # str(): an exception is always true, and a TimeoutError's message is empty.
            f"cannot reach the apiserver at {client.config.host}: {str(err) or type(err).__name__}"
        ) from None


def sync_status(informers: list[SharedInformer], elapsed: float) -> str:
    waiting = [resource_label(i.resource) for i in informers if not i.has_synced()]
    objects = sum(len(i.store) for i in informers)
    done = len(informers) - len(waiting)
    return (
        f"reading the cluster: {done}/{len(informers)} resources listed ({objects} objects), "
        f"waiting for {', '.join(waiting) or 'nothing'} ({elapsed:.0f}s)"
    )


@contextlib.asynccontextmanager
async def cluster_view(
    client: Client, settings: RunSettings, *, stderr: TextIO, timeout: float
) -> AsyncIterator[MirroringView]:
    """The reconcilers' view over caches that have listed everything they read."""
    manager = Manager(client, ManagerOptions(namespace=settings.namespace))
    mirroring = setup_mirroring(manager, mirroring_settings(settings))
    factory = manager.informers
    informers = factory.informers()
    # One deadline for the probes and the sync: an apiserver that accepts connections and
    # never answers would otherwise hold the first probe for the client's request timeout.
    deadline = asyncio.get_running_loop().time() + timeout
    try:
        async with asyncio.timeout_at(deadline):
            for informer in informers:
                await _probe(client, informer)
    except TimeoutError:
        raise ClusterReadError(
            f"the apiserver at {client.config.host} did not answer within {timeout:.0f}s"
        ) from None
    await factory.start()
    try:
        async with Progress(lambda elapsed: sync_status(informers, elapsed), stream=stderr):
            remaining = max(deadline - asyncio.get_running_loop().time(), 0.0)
            synced = await factory.wait_for_sync(remaining)
        if not synced:
            raise ClusterReadError(
                f"the cluster could not be read within {timeout:.0f}s "
                f"({sync_status(informers, timeout)})"
            )
        yield mirroring.view
    finally:
        await factory.stop()
