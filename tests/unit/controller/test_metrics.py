"""Controller metrics live in the registry they are given, and read like controller-runtime's."""

from __future__ import annotations

from prometheus_client import REGISTRY

from mirrorctl.metrics import ControllerMetrics, ReconcileOutcome, exposition, new_registry


def test_two_registries_never_clash_and_the_global_one_is_untouched() -> None:
    global_names = set(REGISTRY._names_to_collectors)
    first, second = new_registry(), new_registry()
    a, b = ControllerMetrics(first), ControllerMetrics(second)
    a.bind("x").reconcile_total[ReconcileOutcome.SUCCESS].inc()
    b.bind("x")
    assert (
        first.get_sample_value(
            "controller_runtime_reconcile_total", {"controller": "x", "result": "success"}
        )
        == 1
    )
    assert (
        second.get_sample_value(
            "controller_runtime_reconcile_total", {"controller": "x", "result": "success"}
        )
        == 0
    )
    assert set(REGISTRY._names_to_collectors) == global_names


def test_exposition_has_every_series_of_a_bound_controller_and_no_created_samples() -> None:
    registry = new_registry(runtime_collectors=False)
    ControllerMetrics(registry).bind("c").max_concurrent_reconciles.set(2)
    text = exposition(registry).decode()
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert 'controller_runtime_reconcile_total{controller="c",result="requeue_after"} 0.0' in lines
    assert 'controller_runtime_max_concurrent_reconciles{controller="c"} 2.0' in lines
    assert 'controller_runtime_reconcile_time_seconds_bucket{controller="c",le="60.0"} 0.0' in lines
    assert "_created" not in text


def test_runtime_collectors_are_per_registry() -> None:
    text = exposition(new_registry()).decode()
    assert "process_cpu_seconds_total" in text
    assert "python_info" in text
