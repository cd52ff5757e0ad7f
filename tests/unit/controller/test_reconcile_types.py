"""Requests, results and the reconciler adapter."""

from __future__ import annotations

import dataclasses
import math
import pickle

import pytest

from mirrorctl.reconcile import Reconciler, ReconcilerFunc, Request, Result


def test_request_key_round_trip() -> None:
    assert Request.from_key("ns/a") == Request("a", "ns")
    assert Request.from_key("a") == Request("a")
    assert Request("a", "ns").key == "ns/a"
    assert Request("a").key == "a"
    assert str(Request("a", "ns")) == "ns/a"


def test_requests_are_hashable_queue_items() -> None:
    assert len({Request("a", "ns"), Request("a", "ns"), Request("a")}) == 2
    # The hash it keeps is no part of its value, and survives a copy.
    assert repr(Request("a", "ns")) == "Request(name='a', namespace='ns')"
    assert dataclasses.replace(Request("a", "ns"), namespace=None) == Request("a")
    assert hash(dataclasses.replace(Request("a", "ns"), namespace=None)) == hash(Request("a"))
    copied = pickle.loads(pickle.dumps(Request("a", "ns")))
    assert copied == Request("a", "ns")
    assert {copied: 1}[Request("a", "ns")] == 1


def test_result_is_done_only_without_requeue() -> None:
    assert Result().is_done
    assert not Result(requeue=True).is_done
    assert not Result(requeue_after=0.5).is_done
    # A zero delay is unset, as controller-runtime's RequeueAfter == 0.
    assert Result(requeue_after=0).is_done
    assert not Result(requeue_after=0, requeue=True).is_done


@pytest.mark.parametrize("bad", [-1.0, math.inf, math.nan])
def test_result_rejects_impossible_delays(bad: float) -> None:
    with pytest.raises(ValueError, match="requeue_after"):
        Result(requeue_after=bad)


async def test_reconciler_func_adapts_a_coroutine_function() -> None:
    seen: list[Request] = []

    async def fn(request: Request) -> Result:
        seen.append(request)
        return Result(requeue_after=3)

    reconciler: Reconciler = ReconcilerFunc(fn)
    assert await reconciler.reconcile(Request("a", "ns")) == Result(requeue_after=3)
    assert seen == [Request("a", "ns")]
