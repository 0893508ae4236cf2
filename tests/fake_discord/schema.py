"""Check the bodies the bot sends against Discord's OpenAPI description and documented limits.

``validate_request(recorded)`` returns a list of error strings (empty = fine). It validates the
JSON body against the requestBody schema of the matching operation in Discord's official
OpenAPI spec (when the file is present) and enforces the documented limits that the spec does
not encode (content 2000, embed limits, command-name regex, 25 choices, 5 rows of 5, ...).
The limit checks run even when the spec file is absent.
"""

from __future__ import annotations

import copy
import functools
import json
import os
import re
from pathlib import Path
from typing import Any

_DEFAULT_SPEC = Path(__file__).resolve().parent / "discord-api-spec" / "openapi.json"


def _spec_path() -> Path:
    env = os.environ.get("BRIEFBOT_DISCORD_SPEC")
    if env:
        return Path(env)
    return _DEFAULT_SPEC


SPEC_PATH: Path = _spec_path()
_SPEC_URI = "urn:discord-openapi"


def spec_available() -> bool:
    return SPEC_PATH.is_file()


# --------------------------------------------------------------------------------------------
# Spec loading and path-template matching
# --------------------------------------------------------------------------------------------


class _Spec:
    def __init__(self, path: Path) -> None:
        from jsonschema import Draft202012Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        with path.open(encoding="utf-8") as fh:
            self.doc: dict[str, Any] = json.load(fh)
        resource = Resource.from_contents(self.doc, default_specification=DRAFT202012)
        self.registry = Registry().with_resource(_SPEC_URI, resource)
        self._validator_cls = Draft202012Validator
        self.templates: list[tuple[re.Pattern[str], str, int]] = []
        for template in self.doc.get("paths", {}):
            parts = template.strip("/").split("/")
            rx = "/" + "/".join(
                "[^/]+" if p.startswith("{") and p.endswith("}") else re.escape(p) for p in parts
            )
            literals = sum(1 for p in parts if not p.startswith("{"))
            self.templates.append((re.compile(rx), template, literals))
        self._validators: dict[str, Any] = {}

    def match(self, path: str) -> str | None:
        best: tuple[int, str] | None = None
        for rx, template, literals in self.templates:
            if rx.fullmatch(path) and (best is None or literals > best[0]):
                best = (literals, template)
        return best[1] if best else None

    def validator(self, pointer: str) -> Any:
        v = self._validators.get(pointer)
        if v is None:
            v = self._validator_cls({"$ref": f"{_SPEC_URI}#{pointer}"}, registry=self.registry)
            self._validators[pointer] = v
        return v

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node: Any = self.doc
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            return node
        return schema


@functools.lru_cache(maxsize=4)
def _load_spec(path: str) -> _Spec:
    return _Spec(Path(path))


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


# --------------------------------------------------------------------------------------------
# Snowflakes: discord.py sends ints, the spec wants strings
# --------------------------------------------------------------------------------------------

_SNOWFLAKE_LIST_KEYS = {"users", "roles"}


def _is_snowflake_key(key: str | None) -> bool:
    return key is not None and (key.endswith("_id") or key.endswith("_ids"))


def stringify_snowflakes(obj: Any, key: str | None = None) -> Any:
    """Copy of ``obj`` with integer snowflakes (``id``, ``*_id``, ``*_ids``, allowed_mentions
    ``users``/``roles``, attachment ids) turned into strings. Small ``id`` ints (component ids)
    are kept."""
    if isinstance(obj, dict):
        return {k: stringify_snowflakes(v, k) for k, v in obj.items()}
    if isinstance(obj, list):
        if _is_snowflake_key(key) or key in _SNOWFLAKE_LIST_KEYS:
            return [str(x) if isinstance(x, int) and not isinstance(x, bool) else x for x in obj]
        if key == "attachments":  # upload placeholders: {"id": 0, "filename": ...}
            return [
                {**stringify_snowflakes(a), "id": str(a["id"])}
                if isinstance(a, dict) and isinstance(a.get("id"), int)
                else stringify_snowflakes(a)
                for a in obj
            ]
        return [stringify_snowflakes(x) for x in obj]
    if key == "default_member_permissions" and isinstance(obj, str) and obj.isdigit():
        return int(obj)  # Discord documents a string, the spec says integer; both are accepted
    is_int = isinstance(obj, int) and not isinstance(obj, bool)
    if is_int and (_is_snowflake_key(key) or (key == "id" and obj >= 2**32)):
        return str(obj)
    return obj


# --------------------------------------------------------------------------------------------
# Schema validation
# --------------------------------------------------------------------------------------------


def _leaf_errors(err: Any) -> list[Any]:
    """For anyOf/oneOf failures, descend into the branch that fits best: the one whose errors are
    not just a top-level type mismatch, with the fewest errors."""
    if not err.context:
        return [err]
    branches: dict[Any, list[Any]] = {}
    for sub in err.context:
        key = sub.relative_schema_path[0] if sub.relative_schema_path else None
        branches.setdefault(key, []).append(sub)

    def score(errs: list[Any]) -> tuple[bool, int]:
        type_only = all(e.validator == "type" and not e.relative_path for e in errs)
        return (type_only, len(errs))

    best = min(branches.values(), key=score)
    if score(best)[0]:  # nothing fits even by type: report the union error itself
        return [err]
    out: list[Any] = []
    for sub in best:
        out += _leaf_errors(sub)
    return out


def _format_errors(err: Any) -> list[str]:
    out = []
    for leaf in _leaf_errors(err):
        where = "/".join(str(p) for p in leaf.absolute_path) or "<body>"
        if leaf.validator in ("maxLength", "minLength", "maxItems", "minItems") and hasattr(
            leaf.instance, "__len__"
        ):
            message = (
                f"length {len(leaf.instance)} violates {leaf.validator} {leaf.validator_value}"
            )
        else:
            message = leaf.message if len(leaf.message) <= 200 else leaf.message[:200] + "..."
        out.append(f"{where}: {message}")
    return out


def _schema_errors(spec: _Spec, template: str, method: str, body: Any) -> list[str]:
    op = spec.doc["paths"][template].get(method.lower())
    if op is None:
        return [f"operation {method} {template} is not in Discord's API spec"]
    content = (op.get("requestBody") or {}).get("content") or {}
    if "application/json" not in content:
        return []
    base = _pointer(
        "paths", template, method.lower(), "requestBody", "content", "application/json", "schema"
    )
    schema = content["application/json"]["schema"]
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches and isinstance(body, dict):
        key = "anyOf" if "anyOf" in schema else "oneOf"
        pointers = [f"{base}/{key}/{i}" for i in range(len(branches))]
        # Pick the branch(es) whose "type" enum accepts the body's type (interaction callbacks).
        if "type" in body:
            typed = []
            for ptr, branch in zip(pointers, branches, strict=True):
                resolved = spec.resolve(branch)
                enum = ((resolved.get("properties") or {}).get("type") or {}).get("enum")
                if enum is not None and body["type"] in enum:
                    typed.append(ptr)
            if typed:
                pointers = typed
        results = [
            [m for e in spec.validator(p).iter_errors(body) for m in _format_errors(e)]
            for p in pointers
        ]
        if any(not r for r in results):
            return []
        return min(results, key=len)
    return [m for e in spec.validator(base).iter_errors(body) for m in _format_errors(e)]


# --------------------------------------------------------------------------------------------
# Documented limits (enforced in code; the spec is looser)
# --------------------------------------------------------------------------------------------

COMMAND_NAME_RE = re.compile(r"^[-_a-z0-9]{1,32}$")
EPHEMERAL, IS_COMPONENTS_V2 = 1 << 6, 1 << 15

_MESSAGE_ROUTES = [
    ("POST", re.compile(r"/channels/\d+/messages"), "create"),
    ("PATCH", re.compile(r"/channels/\d+/messages/\d+"), "edit"),
    ("POST", re.compile(r"/webhooks/\d+/[^/]+"), "create"),
    ("PATCH", re.compile(r"/webhooks/\d+/[^/]+/messages/(@original|\d+)"), "edit"),
]
_CALLBACK_RE = re.compile(r"/interactions/\d+/[^/]+/callback")
_COMMANDS_RE = re.compile(r"/applications/\d+(/guilds/\d+)?/commands")
_COMMAND_RE = re.compile(r"/applications/\d+(/guilds/\d+)?/commands/\d+")


def _len(value: Any) -> int:
    return len(value) if isinstance(value, str) else 0


def _check_embeds(embeds: Any, where: str) -> list[str]:
    errors: list[str] = []
    if not isinstance(embeds, list):
        return errors
    if len(embeds) > 10:
        errors.append(f"{where}embeds: {len(embeds)} embeds (max 10)")
    total = 0
    for i, e in enumerate(embeds):
        if not isinstance(e, dict):
            continue
        w = f"{where}embeds[{i}]."
        title, desc = _len(e.get("title")), _len(e.get("description"))
        footer = _len((e.get("footer") or {}).get("text"))
        author = _len((e.get("author") or {}).get("name"))
        if title > 256:
            errors.append(f"{w}title: {title} chars (max 256)")
        if desc > 4096:
            errors.append(f"{w}description: {desc} chars (max 4096)")
        if footer > 2048:
            errors.append(f"{w}footer.text: {footer} chars (max 2048)")
        if author > 256:
            errors.append(f"{w}author.name: {author} chars (max 256)")
        fields = e.get("fields") or []
        if len(fields) > 25:
            errors.append(f"{w}fields: {len(fields)} fields (max 25)")
        total += title + desc + footer + author
        for j, f in enumerate(fields):
            name, value = _len(f.get("name")), _len(f.get("value"))
            if name > 256:
                errors.append(f"{w}fields[{j}].name: {name} chars (max 256)")
            if value > 1024:
                errors.append(f"{w}fields[{j}].value: {value} chars (max 1024)")
            total += name + value
    if total > 6000:
        errors.append(f"{where}embeds: {total} characters in all embeds together (max 6000)")
    return errors


def _walk_components(components: list[Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for c in components or []:
        if not isinstance(c, dict):
            continue
        out.append(c)
        out.extend(_walk_components(c.get("components") or []))
        for key in ("component", "accessory"):
            if isinstance(c.get(key), dict):
                out.extend(_walk_components([c[key]]))
    return out


def _check_components(components: Any, flags: int, where: str) -> list[str]:
    errors: list[str] = []
    if not isinstance(components, list):
        return errors
    if not flags & IS_COMPONENTS_V2:
        if len(components) > 5:
            errors.append(f"{where}components: {len(components)} action rows (max 5)")
        for i, row in enumerate(components):
            if not isinstance(row, dict) or row.get("type") != 1:
                errors.append(f"{where}components[{i}]: top-level component must be an action row")
                continue
            children = row.get("components") or []
            if not 1 <= len(children) <= 5:
                errors.append(f"{where}components[{i}]: {len(children)} components in a row (1-5)")
            if any(c.get("type") in (3, 5, 6, 7, 8) for c in children) and len(children) > 1:
                errors.append(f"{where}components[{i}]: a select menu must be alone in its row")
    else:
        n = len(_walk_components(components))
        if n > 40:
            errors.append(f"{where}components: {n} components (max 40)")
    seen: set[str] = set()
    for c in _walk_components(components):
        ctype = c.get("type")
        cid = c.get("custom_id")
        if ctype == 2:
            if _len(c.get("label")) > 80:
                errors.append(f"{where}button label: {_len(c.get('label'))} chars (max 80)")
            if c.get("style") == 5:
                if not c.get("url"):
                    errors.append(f"{where}link button without url")
            elif c.get("style") != 6 and cid is None:
                errors.append(f"{where}button without custom_id")
        if ctype in (3, 5, 6, 7, 8):
            if _len(c.get("placeholder")) > 150:
                errors.append(f"{where}select placeholder: max 150 chars")
            if len(c.get("options") or []) > 25:
                errors.append(f"{where}select options: {len(c['options'])} (max 25)")
        if cid is not None:
            if not isinstance(cid, str) or not 1 <= len(cid) <= 100:
                errors.append(f"{where}custom_id {cid!r}: must be 1-100 characters")
            elif cid in seen:
                errors.append(f"{where}custom_id {cid!r} is used twice in one message")
            seen.add(cid)
    return errors


def _check_message(body: Any, kind: str, where: str = "", has_files: bool = False) -> list[str]:
    if not isinstance(body, dict):
        return []
    errors: list[str] = []
    content = body.get("content")
    if _len(content) > 2000:
        errors.append(f"{where}content: {len(content)} chars (max 2000)")
    errors += _check_embeds(body.get("embeds"), where)
    flags = body.get("flags") or 0
    errors += _check_components(
        body.get("components"), flags if isinstance(flags, int) else 0, where
    )
    if kind == "create" and not (
        content
        or body.get("embeds")
        or body.get("components")
        or body.get("sticker_ids")
        or body.get("poll")
        or body.get("attachments")
        or has_files
    ):
        errors.append(
            f"{where}cannot send an empty message (no content, embeds, components or files)"
        )
    return errors


def _check_choices(choices: Any, where: str) -> list[str]:
    errors: list[str] = []
    if not isinstance(choices, list):
        return errors
    if len(choices) > 25:
        errors.append(f"{where}choices: {len(choices)} (max 25)")
    for i, ch in enumerate(choices):
        name = ch.get("name") if isinstance(ch, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= 100:
            errors.append(f"{where}choices[{i}].name: must be 1-100 characters")
        value = ch.get("value") if isinstance(ch, dict) else None
        if isinstance(value, str) and len(value) > 100:
            errors.append(f"{where}choices[{i}].value: {len(value)} chars (max 100)")
    return errors


def _command_chars(cmd: dict[str, Any]) -> int:
    n = _len(cmd.get("name")) + _len(cmd.get("description"))
    for opt in cmd.get("options") or []:
        n += _command_chars(opt)
        for ch in opt.get("choices") or []:
            n += _len(ch.get("name")) + (_len(ch.get("value")))
    return n


def _check_options(options: Any, where: str) -> list[str]:
    errors: list[str] = []
    if not isinstance(options, list):
        return errors
    if len(options) > 25:
        errors.append(f"{where}options: {len(options)} (max 25)")
    names: set[str] = set()
    seen_optional = False
    for i, opt in enumerate(options):
        if not isinstance(opt, dict):
            continue
        w = f"{where}options[{i}]({opt.get('name')!r})."
        name = opt.get("name")
        if not isinstance(name, str) or not COMMAND_NAME_RE.match(name):
            errors.append(f"{w}name: must match ^[-_a-z0-9]{{1,32}}$")
        elif name in names:
            errors.append(f"{w}name: duplicate option name")
        names.add(name if isinstance(name, str) else "")
        desc = opt.get("description")
        if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
            errors.append(f"{w}description: must be 1-100 characters (got {_len(desc)})")
        if opt.get("type") in (1, 2):
            errors += _check_options(opt.get("options") or [], w)
            continue
        if opt.get("required"):
            if seen_optional:
                errors.append(f"{w}required: required options must come before optional ones")
        else:
            seen_optional = True
        if opt.get("choices") and opt.get("autocomplete"):
            errors.append(f"{w}autocomplete and choices cannot both be set")
        errors += _check_choices(opt.get("choices"), w)
    return errors


def _check_command(cmd: Any, where: str) -> list[str]:
    if not isinstance(cmd, dict):
        return [f"{where}: command must be an object"]
    errors: list[str] = []
    ctype = cmd.get("type", 1) or 1
    name = cmd.get("name")
    w = f"{where}({name!r})."
    if ctype == 1:
        if not isinstance(name, str) or not COMMAND_NAME_RE.match(name):
            errors.append(f"{w}name: must match ^[-_a-z0-9]{{1,32}}$")
        desc = cmd.get("description")
        if not isinstance(desc, str) or not 1 <= len(desc) <= 100:
            errors.append(f"{w}description: must be 1-100 characters (got {_len(desc)})")
        errors += _check_options(cmd.get("options") or [], w)
        chars = _command_chars(cmd)
        if chars > 4000:
            errors.append(f"{w}: {chars} characters in name/description/options (max 4000)")
    elif not isinstance(name, str) or not 1 <= len(name) <= 32:
        errors.append(f"{w}name: must be 1-32 characters")
    return errors


def check_limits(method: str, path: str, body: Any, *, has_files: bool = False) -> list[str]:
    """Documented limits that Discord enforces but its OpenAPI description does not encode."""
    method = method.upper()
    if body is None:
        return []
    for m, rx, kind in _MESSAGE_ROUTES:
        if method == m and rx.fullmatch(path):
            return _check_message(body, kind, has_files=has_files)
    if method == "POST" and _CALLBACK_RE.fullmatch(path) and isinstance(body, dict):
        ctype, data = body.get("type"), body.get("data")
        if ctype == 4:
            return _check_message(data or {}, "create", "data.", has_files=has_files)
        if ctype == 7:
            return _check_message(data or {}, "edit", "data.", has_files=has_files)
        if ctype == 8:
            return _check_choices((data or {}).get("choices"), "data.")
        if ctype == 9:
            errors: list[str] = []
            data = data or {}
            if not 1 <= _len(data.get("title")) <= 45:
                errors.append("data.title: modal title must be 1-45 characters")
            if not 1 <= _len(data.get("custom_id")) <= 100:
                errors.append("data.custom_id: must be 1-100 characters")
            if not 1 <= len(data.get("components") or []) <= 5:
                errors.append("data.components: a modal needs 1-5 components")
            return errors
        return []
    if method == "PUT" and _COMMANDS_RE.fullmatch(path):
        if not isinstance(body, list):
            return ["commands: bulk overwrite body must be a list"]
        errors = []
        for i, cmd in enumerate(body):
            errors += _check_command(cmd, f"commands[{i}]")
        keys = [((c.get("type", 1) or 1), c.get("name")) for c in body if isinstance(c, dict)]
        dups = sorted({str(k[1]) for k in keys if keys.count(k) > 1})
        if dups:
            errors.append(f"commands: duplicate command names {dups}")
        if sum(1 for k in keys if k[0] == 1) > 100:
            errors.append("commands: more than 100 slash commands")
        return errors
    if method in ("POST", "PATCH") and (
        _COMMANDS_RE.fullmatch(path) or _COMMAND_RE.fullmatch(path)
    ):
        return _check_command(body, "command")
    return []


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def validate_request(recorded: Any) -> list[str]:
    """Errors for one recorded request (anything with ``method``, ``path``, ``json``).

    ``path`` is relative to the API base (``/channels/1/messages``). Returns an empty list when
    the body is fine or the request has no JSON body.
    """
    method = str(recorded.method).upper()
    path = str(recorded.path).split("?", 1)[0]
    body = recorded.json
    has_files = bool(getattr(recorded, "files", None))
    errors: list[str] = []
    if body is not None and spec_available():
        spec = _load_spec(str(SPEC_PATH))
        template = spec.match(path)
        if template is None:
            errors.append(f"path {path} matches no path of Discord's API spec")
        else:
            errors += _schema_errors(
                spec, template, method, stringify_snowflakes(copy.deepcopy(body))
            )
    errors += check_limits(method, path, body, has_files=has_files)
    return [f"{method} {path}: {e}" for e in errors]
