"""Dynamic providers for the files-py example: resources that are files on this machine.

The engine runs these providers in a separate process (``python -m pulumi.dynamic``, started in the
program directory), so every input they need (absolute paths, the delay) is a resource property,
and this module must stay importable from the program directory: dill pickles the provider classes
by reference to ``files_provider``.
"""

import hashlib
import json
import os
import time
from typing import Any, Optional

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    Resource,
    ResourceProvider,
    UpdateResult,
)
from pulumi.runtime import rpc

# Inputs that the diff ignores: changing only the delay does not update anything.
_IGNORED = ("delayMs",)


def _sleep(props: dict[str, Any]) -> None:
    try:
        ms = int(props.get("delayMs") or 0)
    except (TypeError, ValueError):
        ms = 0
    if ms > 0:
        time.sleep(ms / 1000.0)


def _write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _changed(olds: dict[str, Any], news: dict[str, Any], keys: tuple) -> list[str]:
    return [k for k in keys if olds.get(k) != news.get(k)]


def _check_path(news: dict[str, Any]) -> list[CheckFailure]:
    path = news.get("path")
    # During a preview the value may still be unknown (rpc.UNKNOWN): only check known strings.
    if isinstance(path, str) and path != rpc.UNKNOWN and not os.path.isabs(path):
        return [CheckFailure("path", f"path must be absolute, got {path!r}")]
    return []


class FileProvider(ResourceProvider):
    """One text file: id and ``path`` are the file's absolute path, ``content`` its text."""

    serialize_as_secret_always = False

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, _check_path(news))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changes = _changed(olds, news, ("path", "content"))
        replaces = [k for k in changes if k == "path"]
        return DiffResult(changes=bool(changes), replaces=replaces, stables=[])

    def _outs(self, props: dict[str, Any]) -> dict[str, Any]:
        content = props["content"]
        return {
            "path": props["path"],
            "content": content,
            "delayMs": props.get("delayMs", 0),
            "size": len(content.encode("utf-8")),
            "sha256": _sha256(content),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        _sleep(props)
        _write(props["path"], props["content"])
        return CreateResult(props["path"], self._outs(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _sleep(news)
        _write(news["path"], news["content"])
        return UpdateResult(self._outs(news))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        _sleep(props)
        _remove(props["path"])

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        path = props.get("path") or id_
        try:
            with open(path, encoding="utf-8") as f:
                content = f.read()
        except FileNotFoundError:
            return ReadResult(None, {})  # gone: refresh drops it from the state
        outs = self._outs({**props, "path": path, "content": content})
        # Report drift in the inputs too, so the next diff compares against what is on disk.
        inputs = {"path": path, "content": content, "delayMs": outs["delayMs"]}
        return ReadResult(path, outs, inputs)


def _manifest_text(props: dict[str, Any]) -> str:
    doc = {"stack": props.get("stack"), "files": list(props.get("files") or [])}
    return json.dumps(doc, indent=2) + "\n"


class ManifestProvider(ResourceProvider):
    """A JSON file listing the other files (a second resource type for the reports)."""

    serialize_as_secret_always = False

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(news, _check_path(news))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changes = _changed(olds, news, ("path", "stack", "files"))
        replaces = [k for k in changes if k == "path"]
        return DiffResult(changes=bool(changes), replaces=replaces, stables=[])

    def _outs(self, props: dict[str, Any]) -> dict[str, Any]:
        files = list(props.get("files") or [])
        return {
            "path": props["path"],
            "stack": props.get("stack"),
            "files": files,
            "delayMs": props.get("delayMs", 0),
            "count": len(files),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        _sleep(props)
        _write(props["path"], _manifest_text(props))
        return CreateResult(props["path"], self._outs(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        _sleep(news)
        _write(news["path"], _manifest_text(news))
        return UpdateResult(self._outs(news))

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        _sleep(props)
        _remove(props["path"])

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        path = props.get("path") or id_
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (FileNotFoundError, ValueError):
            return ReadResult(None, {})
        outs = self._outs({**props, "path": path, "stack": doc.get("stack"), "files": doc.get("files")})
        inputs = {k: outs[k] for k in ("path", "stack", "files", "delayMs")}
        return ReadResult(path, outs, inputs)


class File(Resource, module="files", name="File"):
    """Type ``pulumi-python:dynamic/files:File``."""

    path: pulumi.Output[str]
    content: pulumi.Output[str]
    size: pulumi.Output[int]
    sha256: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        path: pulumi.Input[str],
        content: pulumi.Input[str],
        delay_ms: int = 0,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        props = {"path": path, "content": content, "delayMs": delay_ms, "size": None, "sha256": None}
        super().__init__(FileProvider(), name, props, opts)


class Manifest(Resource, module="files", name="Manifest"):
    """Type ``pulumi-python:dynamic/files:Manifest``."""

    path: pulumi.Output[str]
    files: pulumi.Output[list]
    count: pulumi.Output[int]

    def __init__(
        self,
        name: str,
        path: pulumi.Input[str],
        files: pulumi.Input[list],
        stack: str,
        delay_ms: int = 0,
        opts: Optional[pulumi.ResourceOptions] = None,
    ) -> None:
        props = {"path": path, "files": files, "stack": stack, "delayMs": delay_ms, "count": None}
        super().__init__(ManifestProvider(), name, props, opts)
