"""`reference_to`: what a MirrorDestination's status says about the objects it resolved from."""

from __future__ import annotations

from mirrorctl.mirroring.contrail import FQ_NAME_MAX
from mirrorctl.mirroring.status import reference_to

from .builders import vm


def test_the_fq_name_is_carried_over() -> None:
    obj = vm("vm-a", pod_name="a")
    obj["spec"] = {"fqName": ["default-domain", "k8s", "vm-a"]}
    reference = reference_to(obj)
    assert (reference.name, reference.fq_name) == ("vm-a", ("default-domain", "k8s", "vm-a"))


def test_an_fq_name_too_long_to_be_real_is_left_out() -> None:
    # Status is written on every change: runaway data there would make every write fail.
    obj = vm("vm-a", pod_name="a")
    obj["spec"] = {"fqName": ["x" * 100] * (FQ_NAME_MAX // 100 + 1)}
    reference = reference_to(obj)
    assert (reference.name, reference.fq_name) == ("vm-a", None)


def test_an_fq_name_that_is_not_a_list_of_strings_is_left_out() -> None:
    obj = vm("vm-a", pod_name="a")
    obj["spec"] = {"fqName": ["default-domain", 7]}
    assert reference_to(obj).fq_name is None
