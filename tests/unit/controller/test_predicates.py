"""Predicates: what passes and what is dropped, per event kind."""

from __future__ import annotations

from typing import Any

import pytest

from mirrorctl.predicate import (
    AnnotationsChanged,
    Funcs,
    GenerationChanged,
    LabelsChanged,
    LabelSelector,
    LabelSelectorPredicate,
    Predicate,
    ResourceVersionChanged,
    and_,
    from_filter,
    not_,
    or_,
)


def obj(
    *,
    generation: int | None = None,
    rv: str = "1",
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "x", "namespace": "ns", "resourceVersion": rv}
    if generation is not None:
        metadata["generation"] = generation
    if labels is not None:
        metadata["labels"] = labels
    if annotations is not None:
        metadata["annotations"] = annotations
    return {"metadata": metadata}


def expr(operator: str, *values: str) -> dict[str, Any]:
    requirement: dict[str, Any] = {"key": "t", "operator": operator}
    if values:
        requirement["values"] = list(values)
    return {"matchExpressions": [requirement]}


def test_generation_changed_passes_spec_changes_only() -> None:
    p = GenerationChanged()
    assert p.update(obj(generation=1, rv="1"), obj(generation=2, rv="2"))
    assert not p.update(obj(generation=1, rv="1"), obj(generation=1, rv="2"))
    assert p.create(obj())
    assert p.delete(obj())


def test_generation_changed_drops_updates_of_kinds_without_generation() -> None:
    assert not GenerationChanged().update(obj(rv="1"), obj(rv="2"))


def test_resource_version_changed_drops_resyncs() -> None:
    p = ResourceVersionChanged()
    same = obj(rv="5")
    assert not p.update(same, same)
    assert p.update(obj(rv="5"), obj(rv="6"))


def test_labels_changed_treats_absent_and_empty_alike() -> None:
    p = LabelsChanged()
    assert not p.update(obj(), obj(labels={}))
    assert not p.update(obj(labels={"a": "1"}), obj(labels={"a": "1"}, rv="2"))
    assert p.update(obj(labels={"a": "1"}), obj(labels={"a": "2"}))
    assert p.update(obj(), obj(labels={"a": "1"}))


def test_annotations_changed() -> None:
    p = AnnotationsChanged()
    assert not p.update(obj(labels={"a": "1"}), obj(labels={"a": "2"}))
    assert p.update(obj(annotations={"k": "v"}), obj(annotations={}))


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({}, None, True),
        ({"matchLabels": {"app": "web"}}, {"app": "web", "x": "y"}, True),
        ({"matchLabels": {"app": "web"}}, {"app": "db"}, False),
        ({"matchLabels": {"app": "web"}}, None, False),
        (expr("In", "a", "b"), {"t": "b"}, True),
        (expr("In", "a"), {}, False),
        (expr("NotIn", "a"), {}, True),
        (expr("NotIn", "a"), {"t": "a"}, False),
        (expr("Exists"), {"t": ""}, True),
        (expr("DoesNotExist"), {"t": ""}, False),
        (
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}],
            },
            {"app": "web", "tier": "x"},
            False,
        ),
    ],
)
def test_label_selector_matches(
    selector: dict[str, Any], labels: dict[str, str] | None, expected: bool
) -> None:
    assert LabelSelector.parse(selector).matches(labels) is expected


def test_label_selector_renders_the_query_string_form() -> None:
    selector = LabelSelector.parse(
        {
            "matchLabels": {"b": "2", "a": "1"},
            "matchExpressions": [
                {"key": "t", "operator": "NotIn", "values": ["y", "x"]},
                {"key": "e", "operator": "Exists"},
                {"key": "d", "operator": "DoesNotExist"},
            ],
        }
    )
    assert str(selector) == "a=1,b=2,t notin (x,y),e,!d"


@pytest.mark.parametrize(
    "selector",
    [
        {"matchExpressions": [{"key": "t", "operator": "In", "values": []}]},
        {"matchExpressions": [{"key": "t", "operator": "Exists", "values": ["a"]}]},
        {"matchExpressions": [{"key": "t", "operator": "Gt", "values": ["1"]}]},
        {"matchLabel": {"a": "b"}},
        {"matchExpressions": [{"operator": "Exists"}]},
        {"matchExpressions": [{"key": "t", "values": ["a"]}]},
    ],
)
def test_label_selector_rejects_invalid_selectors(selector: dict[str, Any]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case fails a different check
        LabelSelector.parse(selector)


def test_label_selector_predicate_judges_updates_on_the_new_object() -> None:
    p = LabelSelectorPredicate(LabelSelector.of(app="web"))
    assert p.create(obj(labels={"app": "web"}))
    assert not p.delete(obj(labels={"app": "db"}))
    assert p.update(obj(labels={"app": "db"}), obj(labels={"app": "web"}))
    assert not p.update(obj(labels={"app": "web"}), obj(labels={"app": "db"}))


def test_combinators() -> None:
    yes: Predicate = Funcs()
    no: Predicate = from_filter(lambda _o: False)
    o = obj()
    assert and_(yes, yes).create(o)
    assert not and_(yes, no).create(o)
    assert or_(no, yes).update(o, o)
    assert not or_(no, no).update(o, o)
    assert not_(no).delete(o)
    assert not not_(yes).delete(o)
    assert and_().create(o)
    assert not or_().create(o)


def test_combinators_apply_per_event_kind() -> None:
    # Generation changes OR label changes: a label-only update passes, a status write not.
    p = or_(GenerationChanged(), LabelsChanged())
    before = obj(generation=1, labels={"a": "1"})
    assert p.update(before, obj(generation=1, labels={"a": "2"}, rv="2"))
    assert not p.update(before, obj(generation=1, labels={"a": "1"}, rv="2"))
    assert not_(p).create(before) is False


def test_funcs_default_to_passing() -> None:
    p = Funcs(on_update=lambda old, new: old is not new)
    o = obj()
    assert p.create(o)
    assert p.delete(o)
    assert not p.update(o, o)
