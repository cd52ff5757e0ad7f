"""Renaming between the configured label/annotation keys and the ones the domain logic reads.

`mirrorctl.mirroring` reads and writes the default (CN2) keys. With other keys configured, the
reconcilers show it each object as if it carried the default keys, and rename the keys of the
patches it returns back. With the default keys both directions are the identity and copy nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from mirrorctl.mirroring import keys
from mirrorctl.reconcilers.settings import MirroringKeys

__all__ = ["KeyMap"]

_SECTIONS = ("labels", "annotations")
# Keys that also appear inside the networks annotation, as cni-args of one network.
_CNI_ARG_KEYS = (keys.ANALYZER_INTERFACE, keys.MIRROR_DESTINATION)
# What a hidden default key is renamed to where the networks text is renamed as text.
_HIDDEN = "hidden-by-mirrorctl/"


class KeyMap:
    def __init__(self, configured: MirroringKeys | None = None) -> None:
        renamed = (configured or MirroringKeys()).renamed()
        self._to_configured: dict[str, str] = renamed
        self._to_canonical: dict[str, str] = {v: k for k, v in renamed.items()}
        self._cni_args_renamed = any(k in renamed for k in _CNI_ARG_KEYS)
        # Whether every key is the default one (each event and reconcile asks).
        self.identity = not renamed

    def configured(self, canonical: str) -> str:
        """The key objects really carry for the default key ``canonical``."""
        return self._to_configured.get(canonical, canonical)

    def canonical_view(self, obj: dict[str, Any]) -> dict[str, Any]:
        """``obj`` with its labels and annotations under the default keys; a default key that
        was replaced by another is hidden, as it belongs to someone else. Shares all else."""
        if self.identity:
            return obj
        metadata = obj.get("metadata")
        if not isinstance(metadata, Mapping):
            return obj
        new_metadata = dict(metadata)
        for section in _SECTIONS:
            values = metadata.get(section)
            if isinstance(values, Mapping):
                new_metadata[section] = self._rename_in(values)
        annotations = new_metadata.get("annotations")
        if self._cni_args_renamed and isinstance(annotations, dict):
            networks = annotations.get(keys.NETWORKS)
            if isinstance(networks, str):
                annotations[keys.NETWORKS] = self._rename_cni_args(networks)
        return {**obj, "metadata": new_metadata}

    def _rename_in(self, values: Mapping[str, Any]) -> dict[str, Any]:
        renamed: dict[str, Any] = {}
        for key, value in values.items():
            canonical = self._to_canonical.get(key)
            if canonical is not None:
                renamed[canonical] = value
            elif key not in self._to_configured:
                renamed[key] = value
        return renamed

    def _rename_cni_args(self, text: str) -> str:
        try:
            entries = orjson.loads(text)
        except orjson.JSONDecodeError:
            return text  # the domain logic reports it as it stands
        if not isinstance(entries, list):
            return text
        changed = False
        for entry in entries:
            args = entry.get("cni-args") if isinstance(entry, dict) else None
            if isinstance(args, dict):
                entry["cni-args"] = self._rename_in(args)
                changed = True
        if not changed:
            return text
        try:
            return orjson.dumps(entries).decode()
        except orjson.JSONEncodeError:
            # Nested deeper than orjson writes (254 levels; it reads 1024): rename in the text
            # itself, so that the pod's marks are seen as with the default keys.
            return self._rename_cni_args_text(text)

    def _rename_cni_args_text(self, text: str) -> str:
        """The cni-arg keys renamed where the text spells them as plain JSON strings. Coarser
        than renaming the parsed entries (a value spelled like a key is renamed too, a key
        spelled with escapes is not), which is why it is only the fallback."""
        for canonical in _CNI_ARG_KEYS:
            configured = self._to_configured.get(canonical)
            if configured is None:
                continue
            quoted = f'"{canonical}"'
            # A default key someone else set is hidden, as `_rename_in` drops it.
            text = text.replace(quoted, f'"{_HIDDEN}{canonical}"')
            text = text.replace(f'"{configured}"', quoted)
        return text

    def configured_patch(self, patch: dict[str, Any]) -> dict[str, Any]:
        """A metadata merge patch written with the default keys, with the configured keys."""
        if self.identity:
            return patch
        metadata = patch.get("metadata")
        if not isinstance(metadata, dict):
            return patch
        new_metadata = dict(metadata)
        for section in _SECTIONS:
            values = metadata.get(section)
            if isinstance(values, dict):
                new_metadata[section] = {self.configured(k): v for k, v in values.items()}
        return {**patch, "metadata": new_metadata}
