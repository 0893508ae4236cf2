"""A local server speaking Discord's HTTP API v10 and Gateway v10 (JSON, no compression).

Only what a discord.py bot needs for end-to-end tests: login, one guild with two text
channels, messages, slash commands (sync + invoke + autocomplete), components, interaction
callbacks and webhook follow-ups, RESUME / reconnect / invalid session, and injected 429/5xx.

The protocol behaviour it relies on is pinned by tests/test_fake_discord.py, and every body
the bot sends is validated against Discord's own OpenAPI description (discord-api-spec/).
"""

from __future__ import annotations

import asyncio
import copy
import datetime as _dt
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

API_PREFIX = "/api/v10"
DISCORD_EPOCH_MS = 1420070400000

# Gateway opcodes
OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_PRESENCE, OP_VOICE = 0, 1, 2, 3, 4
OP_RESUME, OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION = 6, 7, 8, 9
OP_HELLO, OP_HEARTBEAT_ACK = 10, 11

# Interaction types / callback types / message flags
ITX_COMMAND, ITX_COMPONENT, ITX_AUTOCOMPLETE, ITX_MODAL = 2, 3, 4, 5
CB_MESSAGE, CB_DEFER, CB_DEFER_UPDATE, CB_UPDATE, CB_AUTOCOMPLETE, CB_MODAL = 4, 5, 6, 7, 8, 9
FLAG_EPHEMERAL, FLAG_LOADING = 1 << 6, 1 << 7
_EDITABLE_FLAGS = (1 << 2) | (1 << 12) | (1 << 15)  # suppress embeds, suppress notifications, v2

EVERYONE_PERMISSIONS = 1071698660929  # Discord's default @everyone permissions
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


class FakeDiscordTimeout(asyncio.TimeoutError):
    """Raised by the ``wait_*`` helpers; the message lists what the bot did send."""


@dataclass
class RecordedRequest:
    """One HTTP request the bot sent, with the fake's answer."""

    index: int
    method: str
    path: str  # relative to /api/v10, e.g. "/channels/123/messages"
    query: dict[str, str]
    json: Any  # dict, list (bulk command overwrite) or None
    headers: dict[str, str]
    status: int = 0  # status the fake answered with
    response: Any = None  # JSON the fake answered with (None for 204)
    injected: bool = False  # True when the answer came from fail_next()
    unknown_route: bool = False  # True when the fake has no handler for it (404)
    files: list[dict[str, Any]] = field(default_factory=list)  # multipart uploads
    time: float = 0.0  # loop.time() when it arrived

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def __repr__(self) -> str:
        flag = " injected" if self.injected else ""
        return f"<RecordedRequest #{self.index} {self.method} {self.path} -> {self.status}{flag}>"


@dataclass
class _Dispatch:
    seq: int
    t: str
    d: dict[str, Any]
    sent: bool = False
    on_sent: Callable[[], None] | None = None


@dataclass
class _Conn:
    ws: web.WebSocketResponse
    request: web.Request
    path: str
    query: dict[str, str]
    live: bool = False
    closed: bool = False
    client_seq: int | None = None
    send_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class _ShardSession:
    conn: _Conn
    shard_id: int
    count: int
    session_id: str
    seq: int = 0


@dataclass
class _Interaction:
    payload: dict[str, Any]
    delivered_at: float | None = None
    acked: int | None = None
    late: bool = False
    original_id: str | None = None  # message that @original refers to
    message_ids: list[str] = field(default_factory=list)  # original + follow-ups

    @property
    def id(self) -> str:
        return self.payload["id"]

    @property
    def token(self) -> str:
        return self.payload["token"]

    @property
    def type(self) -> int:
        return self.payload["type"]


@dataclass
class _Failure:
    method: str
    rx: re.Pattern[str]
    status: int
    retry_after: float
    remaining: int
    body: Any


def _now_iso() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat()


def _json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> web.Response:
    if status == 204 or data is None:
        return web.Response(status=status, headers=headers)
    h = {"Content-Type": "application/json"}  # exactly this: discord.py compares with ==
    if headers:
        h.update(headers)
    return web.Response(status=status, body=json.dumps(data).encode(), headers=h)


def _err(status: int, message: str, code: int = 0, **extra: Any) -> tuple[int, dict[str, Any]]:
    return status, {"message": message, "code": code, **extra}


def _truthy(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "yes")


def _id_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj["id"])
    if isinstance(obj, RecordedRequest):
        return str(obj.response["id"])
    return str(obj)


class FakeDiscord:
    """A local Discord for one test. Use as ``async with FakeDiscord() as fake:``.

    ``interaction_timeout``: the first response to an interaction must arrive within this many
    seconds of its delivery, otherwise the callback gets Discord's 404 "Unknown interaction"
    (10062) and ``all_validation_errors()`` reports it. ``echo_bot_messages``: like Discord,
    messages the bot creates in channels come back to it as MESSAGE_CREATE.
    """

    def __init__(
        self,
        *,
        interaction_timeout: float = 3.0,
        echo_bot_messages: bool = True,
        heartbeat_interval_ms: int = 41250,
    ) -> None:
        self.interaction_timeout = interaction_timeout
        self.echo_bot_messages = echo_bot_messages
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self._sf_counter = itertools.count(1)

        self.token = "FAKE." + secrets.token_urlsafe(24)
        self.app_id = self._snowflake()
        self.guild_id = self._snowflake()
        self.channel_id = self._snowflake()
        self.other_channel_id = self._snowflake()
        self.bot_user: dict[str, Any] = self._make_user("briefbot", bot=True, user_id=self.app_id)
        self.owner: dict[str, Any] = self._make_user("owner")
        self.owner_id = self.owner["id"]
        self.user: dict[str, Any] = self._make_user("alice")
        self.joined_at = _now_iso()
        self.channels: dict[str, dict[str, Any]] = {
            self.channel_id: self._make_channel(self.channel_id, "general", 0),
            self.other_channel_id: self._make_channel(self.other_channel_id, "random", 1),
        }
        # A second server, on the other shard of two ((id >> 22) % 2 differs): a sharded
        # bot sees it only on the shard that owns it.
        self.second_guild_id = str((((int(self.guild_id) >> 22) + 1) << 22) | 7)
        self.second_channel_id = self._snowflake()
        self.channels[self.second_channel_id] = self._make_channel(
            self.second_channel_id, "elsewhere", 0, guild_id=self.second_guild_id
        )
        # a DM channel between ``user`` and the bot
        self.dm_channel_id = self._snowflake()
        self.channels[self.dm_channel_id] = {
            "id": self.dm_channel_id,
            "type": 1,
            "recipients": [self.user],
            "last_message_id": None,
            "flags": 0,
        }

        self.requests: list[RecordedRequest] = []
        self.identify_payload: dict[str, Any] | None = None
        self.identify_payloads: list[dict[str, Any]] = []  # every IDENTIFY, in order
        self._shards: dict[int, _ShardSession] = {}  # shard id -> its session (sharded bots)
        self.identify_count = 0
        self.resume_count = 0
        self.gateway_connections: list[dict[str, Any]] = []  # {"path","query"} per ws connect
        self.commands: dict[str | None, list[dict[str, Any]]] = {}  # guild_id or None -> commands
        self.messages: dict[str, dict[str, Any]] = {}  # message id -> stored message object

        self._body_to_message: dict[int, str] = {}  # id(request body) -> created message id
        self._command_ids: dict[tuple[str | None, int, str], str] = {}
        self._interactions: dict[str, _Interaction] = {}
        self._failures: list[_Failure] = []
        self._conns: list[_Conn] = []
        self._session_id: str | None = None
        self._seq = 0
        self._backlog: list[_Dispatch] = []
        self._gw_lock = asyncio.Lock()
        self._events: list[asyncio.Event] = []
        self._runner: web.AppRunner | None = None
        self._saved: tuple[Any, Any] | None = None
        self.port = 0
        # a start-up failure: IDENTIFY answered with this close code (4004 bad token, 4013
        # invalid intents, 4014 disallowed intents)
        self.close_identify_with: int | None = None

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway/"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway-resume/"

    async def start(self) -> FakeDiscord:
        import discord.gateway
        import discord.http
        import yarl

        app = web.Application()
        app.router.add_route("GET", "/gateway/", self._gateway_handler)
        app.router.add_route("GET", "/gateway-resume/", self._gateway_handler)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._http_handler)
        app.on_shutdown.append(self._on_shutdown)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

        self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        discord.http.Route.BASE = self.base_url
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        return self

    async def stop(self) -> None:
        import discord.gateway
        import discord.http

        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    async def _on_shutdown(self, app: web.Application) -> None:
        for conn in list(self._conns):
            if not conn.ws.closed:
                await conn.ws.close(code=1001)

    # ------------------------------------------------------------------ ids & objects

    def _snowflake(self) -> str:
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return str((ms << 22) | (next(self._sf_counter) & 0x3FFFFF))

    def _make_user(
        self, name: str, *, bot: bool = False, user_id: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": user_id or self._snowflake(),
            "username": name,
            "discriminator": "0" if not bot else "0001",
            "global_name": None if bot else name.title(),
            "avatar": None,
            "bot": bot,
            "system": False,
            "public_flags": 0,
        }

    def make_user(self, name: str, *, bot: bool = False) -> dict[str, Any]:
        """A new user, human or ``bot`` (not in the guild's member list, but fine as a
        message author)."""
        return self._make_user(name, bot=bot)

    def _make_channel(
        self, cid: str, name: str, position: int, *, guild_id: str | None = None
    ) -> dict[str, Any]:
        return {
            "id": cid,
            "type": 0,
            "guild_id": guild_id or self.guild_id,
            "name": name,
            "position": position,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def _member(self, user: dict[str, Any], *, with_user: bool = True) -> dict[str, Any]:
        member: dict[str, Any] = {
            "roles": [],
            "joined_at": self.joined_at,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "premium_since": None,
            "communication_disabled_until": None,
        }
        if with_user:
            member["user"] = user
        return member

    @property
    def member(self) -> dict[str, Any]:
        """Guild member object of ``fake.user``."""
        return self._member(self.user)

    def _guild_payload(self, guild_id: str | None = None) -> dict[str, Any]:
        gid = guild_id or self.guild_id
        members = [self._member(u) for u in (self.bot_user, self.owner, self.user)]
        channels = [copy.deepcopy(c) for c in self.channels.values() if c.get("guild_id") == gid]
        return {
            "id": gid,
            "name": "Fake Guild" if gid == self.guild_id else "Fake Guild 2",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": self.owner_id,
            "region": "us-east",
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": channels[0]["id"],
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "features": [],
            "application_id": None,
            "joined_at": self.joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(members),
            "roles": [
                {
                    "id": gid,
                    "name": "@everyone",
                    "color": 0,
                    "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
                    "hoist": False,
                    "icon": None,
                    "unicode_emoji": None,
                    "position": 0,
                    "permissions": str(EVERYONE_PERMISSIONS),
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "emojis": [],
            "stickers": [],
            "members": members,
            "channels": channels,
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    def _application(self) -> dict[str, Any]:
        return {
            "id": self.app_id,
            "name": self.bot_user["username"],
            "icon": None,
            "description": "fake application",
            "rpc_origins": [],
            "bot_public": False,
            "bot_require_code_grant": False,
            "bot": self.bot_user,
            "owner": self.owner,
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "approximate_guild_count": 1,
        }

    # ------------------------------------------------------------------ waiting helpers

    def _notify(self) -> None:
        for ev in self._events:
            ev.set()

    async def _wait_until(self, check: Callable[[], Any], timeout: float, what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None and result is not False:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = "\n  ".join(repr(r) for r in self.requests[-15:]) or "(none)"
                raise FakeDiscordTimeout(
                    f"timed out after {timeout}s waiting for {what}; last requests:\n  {recent}"
                )
            ev = asyncio.Event()
            self._events.append(ev)
            try:
                await asyncio.wait_for(ev.wait(), remaining)
            except asyncio.TimeoutError:
                pass
            finally:
                self._events.remove(ev)

    async def wait_until_identified(self, timeout: float = 5, count: int = 1) -> None:
        """Wait until ``count`` IDENTIFYs have been answered with READY + GUILD_CREATE."""
        await self._wait_until(lambda: self.identify_count >= count, timeout, f"IDENTIFY #{count}")

    async def wait_until_resumed(self, timeout: float = 5, count: int = 1) -> None:
        """Wait until ``count`` RESUMEs have been answered (replay + RESUMED)."""
        await self._wait_until(lambda: self.resume_count >= count, timeout, f"RESUME #{count}")

    def _match(
        self,
        method: str | None,
        path_regex: str | re.Pattern[str],
        predicate: Callable[[RecordedRequest], bool] | None,
        start: int,
        include_failed: bool,
    ) -> RecordedRequest | None:
        rx = re.compile(path_regex) if isinstance(path_regex, str) else path_regex
        for rec in self.requests[start:]:
            if method not in (None, "*") and rec.method != method.upper():
                continue
            if not rx.fullmatch(rec.path):
                continue
            if not include_failed and not rec.ok:
                continue
            if predicate is not None and not predicate(rec):
                continue
            return rec
        return None

    async def wait_for_request(
        self,
        method: str | None,
        path_regex: str | re.Pattern[str],
        predicate: Callable[[RecordedRequest], bool] | None = None,
        timeout: float = 5,
        after: int | RecordedRequest | None = None,
        include_failed: bool = False,
    ) -> RecordedRequest:
        """First request (already arrived or future) with this method whose path fully matches
        ``path_regex``. ``after``: an index (number of requests to skip) or a RecordedRequest
        (look only at later ones). Only successful (2xx) requests match unless
        ``include_failed``."""
        start = after.index + 1 if isinstance(after, RecordedRequest) else (after or 0)
        return await self._wait_until(
            lambda: self._match(method, path_regex, predicate, start, include_failed),
            timeout,
            f"{method} {path_regex}",
        )

    def find_requests(
        self, method: str | None, path_regex: str, include_failed: bool = False
    ) -> list[RecordedRequest]:
        rx = re.compile(path_regex)
        return [
            r
            for r in self.requests
            if (method in (None, "*") or r.method == method.upper())
            and rx.fullmatch(r.path)
            and (include_failed or r.ok)
        ]

    # ------------------------------------------------------------------ failures

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int = 429,
        retry_after: float = 0.05,
        count: int = 1,
        body: Any = None,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status`` (429 with ``Via`` header
        and JSON ``retry_after``, ``global: false``; anything else with a JSON error body). The
        failed attempts are recorded with ``injected=True``."""
        self._failures.append(
            _Failure(method.upper(), re.compile(path_regex), status, retry_after, count, body)
        )

    def _take_failure(self, method: str, path: str) -> web.Response | None:
        for f in self._failures:
            if f.remaining > 0 and f.method in (method, "*") and f.rx.fullmatch(path):
                f.remaining -= 1
                if f.status == 429:
                    data = f.body or {
                        "message": "You are being rate limited.",
                        "retry_after": f.retry_after,
                        "global": False,
                        "code": 0,
                    }
                    headers = {
                        "Via": "1.1 google",
                        "Retry-After": str(max(1, int(f.retry_after + 0.999))),
                        "X-RateLimit-Scope": "user",
                    }
                    return _json_response(429, data, headers)
                reason = {
                    500: "Internal Server Error",
                    502: "Bad Gateway",
                    503: "Service Unavailable",
                }
                data = f.body or {
                    "message": f"{f.status}: {reason.get(f.status, 'Error')}",
                    "code": 0,
                }
                return _json_response(f.status, data)
        return None

    # ------------------------------------------------------------------ HTTP

    _ROUTES: list[tuple[str, re.Pattern[str], str]] = [
        (m, re.compile(p), h)
        for m, p, h in [
            ("GET", r"/users/@me", "_h_me"),
            ("GET", r"/oauth2/applications/@me", "_h_app"),
            ("GET", r"/applications/@me", "_h_app"),
            ("GET", r"/gateway", "_h_gateway"),
            ("GET", r"/gateway/bot", "_h_gateway"),
            ("GET", r"/applications/(?P<app>\d+)(?:/guilds/(?P<g>\d+))?/commands", "_h_cmds_get"),
            ("PUT", r"/applications/(?P<app>\d+)(?:/guilds/(?P<g>\d+))?/commands", "_h_cmds_put"),
            ("POST", r"/applications/(?P<app>\d+)(?:/guilds/(?P<g>\d+))?/commands", "_h_cmd_post"),
            (
                "GET|PATCH|DELETE",
                r"/applications/(?P<app>\d+)(?:/guilds/(?P<g>\d+))?/commands/(?P<cid>\d+)",
                "_h_cmd_one",
            ),
            ("GET", r"/channels/(?P<c>\d+)", "_h_channel"),
            ("POST", r"/channels/(?P<c>\d+)/typing", "_h_typing"),
            ("GET", r"/channels/(?P<c>\d+)/messages", "_h_msgs_get"),
            ("POST", r"/channels/(?P<c>\d+)/messages", "_h_msg_post"),
            ("GET|PATCH|DELETE", r"/channels/(?P<c>\d+)/messages/(?P<m>\d+)", "_h_msg_one"),
            (
                "PUT|DELETE",
                r"/channels/(?P<c>\d+)/messages/(?P<m>\d+)/reactions/(?P<e>[^/]+)/@me",
                "_h_reaction",
            ),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<tok>[^/]+)/callback", "_h_callback"),
            ("POST", r"/webhooks/(?P<app>\d+)/(?P<tok>[^/]+)", "_h_followup"),
            (
                "GET|PATCH|DELETE",
                r"/webhooks/(?P<app>\d+)/(?P<tok>[^/]+)/messages/(?P<m>@original|\d+)",
                "_h_webhook_msg",
            ),
        ]
    ]
    _NO_AUTH = re.compile(r"/(interactions|webhooks)/.*")

    async def _http_handler(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        method = request.method.upper()
        body: Any = None
        files: list[dict[str, Any]] = []
        ctype = request.headers.get("Content-Type", "")
        if request.can_read_body:
            if ctype.startswith("multipart/"):
                form = await request.post()
                for key, value in form.items():
                    if key == "payload_json":
                        body = json.loads(value if isinstance(value, str) else value.file.read())
                    elif isinstance(value, web.FileField):
                        data = value.file.read()
                        files.append(
                            {
                                "field": key,
                                "filename": value.filename,
                                "content_type": value.content_type,
                                "size": len(data),
                                "data": data,
                            }
                        )
            else:
                raw = await request.read()
                if raw:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        body = None
        rec = RecordedRequest(
            index=-1,
            method=method,
            path=path,
            query=dict(request.query),
            json=body,
            headers=dict(request.headers),
            files=files,
            time=asyncio.get_running_loop().time(),
        )

        response: web.Response | None = None
        handler = None
        match = None
        for m, rx, name in self._ROUTES:
            match = rx.fullmatch(path)
            if match and method in m.split("|"):
                handler = getattr(self, name)
                break
        if handler is None:
            rec.unknown_route = True
        auth = request.headers.get("Authorization")
        if not self._NO_AUTH.fullmatch(path) and auth != f"Bot {self.token}":
            status, data = _err(401, "401: Unauthorized")
        elif (response := self._take_failure(method, path)) is not None:
            rec.injected = True
            status, data = response.status, (json.loads(response.body) if response.body else None)  # type: ignore[arg-type]
        elif handler is None:
            status, data = _err(404, "404: Not Found")
        else:
            assert match is not None
            try:
                status, data = await handler(rec, match.groupdict())
            except Exception as exc:  # a bug in the fake: answer 400 so the test sees it
                status, data = _err(400, f"fake_discord handler error: {exc!r}")
        rec.status, rec.response = status, data
        rec.index = len(self.requests)
        self.requests.append(rec)
        self._notify()
        if response is not None:
            return response
        return _json_response(status, data)

    # --- login / gateway discovery

    async def _h_me(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        return 200, self.bot_user

    async def _h_app(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        return 200, self._application()

    async def _h_gateway(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        return 200, {
            "url": self.gateway_url.rstrip("/"),
            "shards": 1,
            "session_start_limit": {
                "total": 1000,
                "remaining": 999,
                "reset_after": 0,
                "max_concurrency": 1,
            },
        }

    # --- application commands

    def _check_app(self, m: dict[str, str]) -> tuple[int, Any] | None:
        if m.get("app") != self.app_id:
            return _err(404, "Unknown Application", 10002)
        if m.get("g") is not None and m["g"] != self.guild_id:
            return _err(404, "Unknown Guild", 10004)
        return None

    def _store_command(self, guild: str | None, data: dict[str, Any]) -> dict[str, Any]:
        ctype = data.get("type", 1) or 1
        key = (guild, ctype, data.get("name", ""))
        cid = self._command_ids.setdefault(key, self._snowflake())
        cmd = {
            "id": cid,
            "application_id": self.app_id,
            "version": self._snowflake(),
            "type": ctype,
            "name": data.get("name"),
            "name_localizations": data.get("name_localizations"),
            "description": data.get("description", ""),
            "description_localizations": data.get("description_localizations"),
            "options": copy.deepcopy(data.get("options") or []),
            "default_member_permissions": (
                None
                if data.get("default_member_permissions") is None
                else str(data["default_member_permissions"])
            ),
            "dm_permission": data.get("dm_permission", True),
            "nsfw": data.get("nsfw", False),
            "contexts": data.get("contexts"),
            "integration_types": data.get("integration_types", [0]),
        }
        if guild is not None:
            cmd["guild_id"] = guild
        return cmd

    async def _h_cmds_get(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        return self._check_app(m) or (200, copy.deepcopy(self.commands.get(m.get("g"), [])))

    async def _h_cmds_put(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        if (e := self._check_app(m)) is not None:
            return e
        if not isinstance(rec.json, list):
            return _err(400, "Invalid Form Body", 50035)
        guild = m.get("g")
        self.commands[guild] = [self._store_command(guild, c) for c in rec.json]
        return 200, copy.deepcopy(self.commands[guild])

    async def _h_cmd_post(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        if (e := self._check_app(m)) is not None:
            return e
        guild = m.get("g")
        cmd = self._store_command(guild, rec.json or {})
        cmds = [c for c in self.commands.get(guild, []) if c["id"] != cmd["id"]]
        self.commands[guild] = [*cmds, cmd]
        return 201, copy.deepcopy(cmd)

    async def _h_cmd_one(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        if (e := self._check_app(m)) is not None:
            return e
        guild = m.get("g")
        cmds = self.commands.get(guild, [])
        found = next((c for c in cmds if c["id"] == m["cid"]), None)
        if found is None:
            return _err(404, "Unknown application command", 10063)
        if rec.method == "GET":
            return 200, copy.deepcopy(found)
        if rec.method == "DELETE":
            cmds.remove(found)
            return 204, None
        merged = {**found, **(rec.json or {})}
        new = self._store_command(guild, merged)
        cmds[cmds.index(found)] = new
        return 200, copy.deepcopy(new)

    # --- channels & messages

    def _check_channel(self, cid: str) -> tuple[int, Any] | None:
        if cid not in self.channels:
            return _err(404, "Unknown Channel", 10003)
        return None

    async def _h_channel(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        return self._check_channel(m["c"]) or (200, copy.deepcopy(self.channels[m["c"]]))

    async def _h_typing(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        return self._check_channel(m["c"]) or (204, None)

    async def _h_reaction(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        if (e := self._check_channel(m["c"])) is not None:
            return e
        if m["m"] not in self.messages:
            return _err(404, "Unknown Message", 10008)
        return 204, None

    async def _h_msgs_get(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        if (e := self._check_channel(m["c"])) is not None:
            return e
        limit = int(rec.query.get("limit", "50"))
        msgs = [v for v in self.messages.values() if v["channel_id"] == m["c"]]
        msgs.sort(key=lambda v: int(v["id"]), reverse=True)
        return 200, copy.deepcopy(msgs[:limit])

    def _attachments(self, rec: RecordedRequest) -> list[dict[str, Any]]:
        out = []
        for f in rec.files:
            aid = self._snowflake()
            out.append(
                {
                    "id": aid,
                    "filename": f["filename"],
                    "size": f["size"],
                    "url": f"https://cdn.example.invalid/attachments/{aid}/{f['filename']}",
                    "proxy_url": f"https://media.example.invalid/attachments/{aid}/{f['filename']}",
                    "content_type": f["content_type"],
                }
            )
        return out

    def _new_message(
        self,
        *,
        channel_id: str,
        author: dict[str, Any],
        body: dict[str, Any],
        rec: RecordedRequest | None = None,
        msg_type: int = 0,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        mid = self._snowflake()
        embeds = [{"type": "rich", **e} for e in body.get("embeds") or []]
        msg: dict[str, Any] = {
            "id": mid,
            "channel_id": channel_id,
            "author": author,
            "content": body.get("content") or "",
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": self._attachments(rec) if rec is not None else [],
            "embeds": embeds,
            "pinned": False,
            "type": msg_type,
            "flags": int(body.get("flags") or 0),
            "components": copy.deepcopy(body.get("components") or []),
        }
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        if extra:
            msg.update(extra)
        self.messages[mid] = msg
        if rec is not None and isinstance(rec.json, (dict, list)):
            self._body_to_message[id(rec.json)] = mid
            if isinstance(rec.json, dict) and isinstance(rec.json.get("data"), dict):
                self._body_to_message[id(rec.json["data"])] = mid
        return msg

    def _edit_message(
        self, msg: dict[str, Any], body: dict[str, Any], rec: RecordedRequest
    ) -> None:
        if "content" in body:
            msg["content"] = body["content"] or ""
        if "embeds" in body:
            msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            msg["components"] = copy.deepcopy(body["components"] or [])
        if body.get("flags") is not None:
            msg["flags"] = (msg["flags"] & ~_EDITABLE_FLAGS) | (
                int(body["flags"]) & _EDITABLE_FLAGS
            )
        if "attachments" in body or rec.files:
            kept = {str(a.get("id")) for a in body.get("attachments") or []}
            msg["attachments"] = [a for a in msg["attachments"] if a["id"] in kept]
            msg["attachments"] += self._attachments(rec)
        msg["edited_timestamp"] = _now_iso()
        if isinstance(rec.json, dict):
            self._body_to_message[id(rec.json)] = msg["id"]

    async def _h_msg_post(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        cid = m["c"]
        if (e := self._check_channel(cid)) is not None:
            return e
        body = rec.json if isinstance(rec.json, dict) else {}
        guild_id = self.channels[cid].get("guild_id")
        extra: dict[str, Any] = {"guild_id": guild_id} if guild_id else {}
        msg_type = 0
        ref = body.get("message_reference")
        if ref:
            ref_id = str(ref.get("message_id"))
            referenced = self.messages.get(ref_id)
            if referenced is None and ref.get("fail_if_not_exists", True):
                return _err(
                    400,
                    "Invalid Form Body",
                    50035,
                    errors={
                        "message_reference": {
                            "_errors": [
                                {
                                    "code": "MESSAGE_REFERENCE_UNKNOWN_MESSAGE",
                                    "message": "Unknown message",
                                }
                            ]
                        }
                    },
                )
            extra["message_reference"] = {
                "type": ref.get("type", 0),
                "message_id": ref_id,
                "channel_id": str(ref.get("channel_id") or cid),
                **({"guild_id": guild_id} if guild_id else {}),
            }
            if referenced is not None:
                extra["referenced_message"] = copy.deepcopy(referenced)
                msg_type = 19
        msg = self._new_message(
            channel_id=cid, author=self.bot_user, body=body, rec=rec, msg_type=msg_type, extra=extra
        )
        if self.echo_bot_messages:
            await self._dispatch("MESSAGE_CREATE", self._gateway_message(msg, self.bot_user))
        return 200, copy.deepcopy(msg)

    async def _h_msg_one(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        if (e := self._check_channel(m["c"])) is not None:
            return e
        msg = self.messages.get(m["m"])
        if msg is None or msg["channel_id"] != m["c"]:
            return _err(404, "Unknown Message", 10008)
        if rec.method == "GET":
            return 200, copy.deepcopy(msg)
        if rec.method == "DELETE":
            del self.messages[m["m"]]
            return 204, None
        if msg["author"]["id"] != self.bot_user["id"]:
            return _err(403, "Cannot edit a message authored by another user", 50005)
        self._edit_message(msg, rec.json if isinstance(rec.json, dict) else {}, rec)
        return 200, copy.deepcopy(msg)

    # --- interactions

    def _interaction_for(self, itx: Any) -> _Interaction:
        iid = str(itx["id"]) if isinstance(itx, dict) else str(itx)
        try:
            return self._interactions[iid]
        except KeyError:
            raise KeyError(f"unknown interaction {iid}") from None

    def _itx_by_token(self, token: str) -> _Interaction | None:
        return next((i for i in self._interactions.values() if i.token == token), None)

    def _itx_message_extra(self, itx: _Interaction) -> dict[str, Any]:
        meta: dict[str, Any] = {
            "id": itx.id,
            "type": itx.type,
            "user": itx.payload["member"]["user"],
            "authorizing_integration_owners": {"0": self.guild_id},
        }
        if itx.type == ITX_COMMAND:
            meta["name"] = itx.payload["data"]["name"]
            meta["command_type"] = itx.payload["data"].get("type", 1)
        if itx.type == ITX_COMPONENT:
            meta["interacted_message_id"] = itx.payload["message"]["id"]
        return {
            "webhook_id": self.app_id,
            "application_id": self.app_id,
            "guild_id": self.guild_id,
            "interaction_metadata": meta,
        }

    async def _h_callback(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        itx = self._interactions.get(m["iid"])
        if itx is None or itx.token != m["tok"]:
            return _err(404, "Unknown interaction", 10062)
        if itx.acked is not None:
            return _err(400, "Interaction has already been acknowledged.", 40060)
        loop_time = asyncio.get_running_loop().time()
        if itx.delivered_at is None or loop_time - itx.delivered_at > self.interaction_timeout:
            itx.late = True
            return _err(404, "Unknown interaction", 10062)
        body = rec.json if isinstance(rec.json, dict) else {}
        cb_type = body.get("type")
        data = body.get("data") or {}
        allowed = {
            ITX_COMMAND: {CB_MESSAGE, CB_DEFER, CB_MODAL},
            ITX_COMPONENT: {CB_MESSAGE, CB_DEFER, CB_DEFER_UPDATE, CB_UPDATE, CB_MODAL},
            ITX_AUTOCOMPLETE: {CB_AUTOCOMPLETE},
            ITX_MODAL: {CB_MESSAGE, CB_DEFER, CB_DEFER_UPDATE, CB_UPDATE},
        }[itx.type]
        if cb_type not in allowed:
            return _err(
                400,
                f"Interaction callback type {cb_type} is not valid for interaction type {itx.type}",
                50035,
            )
        channel_id = itx.payload["channel_id"]
        message: dict[str, Any] | None = None
        loading = False
        if cb_type in (CB_MESSAGE, CB_DEFER):
            flags = int(data.get("flags") or 0)
            if cb_type == CB_DEFER:
                loading = True
                flags = (flags & FLAG_EPHEMERAL) | FLAG_LOADING
                mbody: dict[str, Any] = {"flags": flags}
            else:
                mbody = {**data, "flags": flags}
            msg_type = 20 if itx.type == ITX_COMMAND else 19 if itx.type == ITX_COMPONENT else 0
            message = self._new_message(
                channel_id=channel_id,
                author=self.bot_user,
                body=mbody,
                rec=rec if cb_type == CB_MESSAGE else None,
                msg_type=msg_type,
                extra=self._itx_message_extra(itx),
            )
            itx.original_id = message["id"]
            itx.message_ids.append(message["id"])
        elif cb_type in (CB_DEFER_UPDATE, CB_UPDATE):
            target_id = (itx.payload.get("message") or {}).get("id")
            target = self.messages.get(str(target_id))
            if target is None:
                return _err(404, "Unknown Message", 10008)
            itx.original_id = target["id"]
            if cb_type == CB_UPDATE:
                self._edit_message(target, data, rec)
                if body.get("data") is not None:  # keep only ids of objects held in self.requests
                    self._body_to_message[id(body["data"])] = target["id"]
                message = target
        itx.acked = cb_type
        self._notify()
        if not _truthy(rec.query.get("with_response")):
            return 204, None
        resource: dict[str, Any] = {"type": cb_type}
        if message is not None:
            resource["message"] = copy.deepcopy(message)
        return 200, {
            "interaction": {
                "id": itx.id,
                "type": itx.type,
                "response_message_id": message["id"] if message is not None else None,
                "response_message_loading": loading,
                "response_message_ephemeral": bool(message and message["flags"] & FLAG_EPHEMERAL),
            },
            "resource": resource,
        }

    def _webhook_itx(self, m: dict[str, str]) -> _Interaction | tuple[int, Any]:
        itx = self._itx_by_token(m["tok"])
        if m["app"] != self.app_id or itx is None:
            return _err(404, "Unknown Webhook", 10015)
        if itx.acked is None:
            return _err(404, "Unknown Webhook", 10015)  # not acknowledged yet
        return itx

    async def _h_followup(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        itx = self._webhook_itx(m)
        if not isinstance(itx, _Interaction):
            return itx
        body = rec.json if isinstance(rec.json, dict) else {}
        flags = int(body.get("flags") or 0)
        message = self._new_message(
            channel_id=itx.payload["channel_id"],
            author=self.bot_user,
            body={**body, "flags": flags},
            rec=rec,
            extra=self._itx_message_extra(itx),
        )
        itx.message_ids.append(message["id"])
        if not _truthy(rec.query.get("wait")):
            return 204, None
        return 200, copy.deepcopy(message)

    async def _h_webhook_msg(self, rec: RecordedRequest, m: dict[str, str]) -> tuple[int, Any]:
        itx = self._webhook_itx(m)
        if not isinstance(itx, _Interaction):
            return itx
        mid = itx.original_id if m["m"] == "@original" else m["m"]
        if mid is None or (mid not in itx.message_ids and mid != itx.original_id):
            return _err(404, "Unknown Message", 10008)
        msg = self.messages.get(mid)
        if msg is None:
            return _err(404, "Unknown Message", 10008)
        if rec.method == "GET":
            return 200, copy.deepcopy(msg)
        if rec.method == "DELETE":
            del self.messages[mid]
            return 204, None
        body = rec.json if isinstance(rec.json, dict) else {}
        self._edit_message(msg, body, rec)
        msg["flags"] &= ~FLAG_LOADING
        return 200, copy.deepcopy(msg)

    # ------------------------------------------------------------------ gateway

    async def _gateway_handler(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        conn = _Conn(ws=ws, request=request, path=request.path, query=dict(request.query))
        self._conns.append(conn)
        self.gateway_connections.append({"path": conn.path, "query": conn.query})
        try:
            await self._ws_send(
                conn,
                {
                    "op": OP_HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms},
                    "s": None,
                    "t": None,
                },
            )
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    await self._on_gateway_message(conn, json.loads(msg.data))
                else:
                    break
        except (ConnectionError, RuntimeError):
            pass
        finally:
            conn.closed = True
            conn.live = False
            if conn in self._conns:
                self._conns.remove(conn)
            self._notify()
        return ws

    async def _ws_send(self, conn: _Conn, payload: dict[str, Any]) -> bool:
        if conn.closed or conn.ws.closed:
            return False
        async with conn.send_lock:
            try:
                await conn.ws.send_str(json.dumps(payload))
            except (ConnectionError, RuntimeError):
                return False
        return True

    def _live_conn(self) -> _Conn | None:
        return next((c for c in self._conns if c.live and not c.closed and not c.ws.closed), None)

    async def _send_dispatch(self, conn: _Conn, entry: _Dispatch) -> None:
        ok = await self._ws_send(
            conn, {"op": OP_DISPATCH, "d": entry.d, "s": entry.seq, "t": entry.t}
        )
        if ok and not entry.sent:
            entry.sent = True
            if entry.on_sent is not None:
                entry.on_sent()

    async def _dispatch(
        self, t: str, d: dict[str, Any], on_sent: Callable[[], None] | None = None
    ) -> None:
        """Send a dispatch now if a session is live, else keep it for RESUME / next READY.
        With sharded sessions, an event of a server goes to the shard that owns it."""
        if self._shards and d.get("guild_id"):
            count = next(iter(self._shards.values())).count
            async with self._gw_lock:
                session = self._shards.get(self.shard_of(str(d["guild_id"]), count))
                if session is not None and not session.conn.closed:
                    await self._send_shard(session, t, d)
                    if on_sent is not None:
                        on_sent()
            return
        async with self._gw_lock:
            self._seq += 1
            entry = _Dispatch(self._seq, t, d, on_sent=on_sent)
            self._backlog.append(entry)
            conn = self._live_conn()
            if conn is not None:
                await self._send_dispatch(conn, entry)

    async def _on_gateway_message(self, conn: _Conn, msg: dict[str, Any]) -> None:
        op, d = msg.get("op"), msg.get("d")
        if op == OP_HEARTBEAT:
            conn.client_seq = d
            await self._ws_send(conn, {"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY:
            await self._identify(conn, d or {})
        elif op == OP_RESUME:
            await self._resume(conn, d or {})
        elif op == OP_REQUEST_MEMBERS:
            members = [self._member(u) for u in (self.bot_user, self.owner, self.user)]
            await self._dispatch(
                "GUILD_MEMBERS_CHUNK",
                {
                    "guild_id": self.guild_id,
                    "members": members,
                    "chunk_index": 0,
                    "chunk_count": 1,
                    "not_found": [],
                    "nonce": (d or {}).get("nonce"),
                },
            )
        # presence (3) and voice state (4) updates are ignored

    async def _identify(self, conn: _Conn, d: dict[str, Any]) -> None:
        if d.get("token") != self.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if self.close_identify_with is not None:
            await conn.ws.close(code=self.close_identify_with, message=b"refused by fake_discord")
            return
        shard = d.get("shard")
        if shard is not None and int(shard[1]) > 1:
            await self._identify_shard(conn, d, int(shard[0]), int(shard[1]))
            return
        async with self._gw_lock:
            for other in self._conns:
                other.live = False
            pending = [
                e
                for e in self._backlog
                if not e.sent and e.t not in ("READY", "GUILD_CREATE", "RESUMED")
            ]
            self._session_id = secrets.token_hex(16)
            self._seq = 0
            self._backlog = []
            self.identify_payload = d
            self.identify_payloads.append(d)
            ready = self._ready(self._session_id, [self.guild_id], d.get("shard"))
            conn.live = True
            for t, payload in (("READY", ready), ("GUILD_CREATE", self._guild_payload())):
                self._seq += 1
                entry = _Dispatch(self._seq, t, payload)
                self._backlog.append(entry)
                await self._send_dispatch(conn, entry)
            # Events created while no session was live (e.g. after an invalid session).
            for old in pending:
                self._seq += 1
                entry = _Dispatch(self._seq, old.t, old.d, on_sent=old.on_sent)
                self._backlog.append(entry)
                await self._send_dispatch(conn, entry)
            self.identify_count += 1
        self._notify()

    def _ready(self, session_id: str, guilds: list[str], shard: Any) -> dict[str, Any]:
        """The READY payload of a session on ``guilds`` (``shard``: [id, count] or None)."""
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.bot_user,
            "user_settings": {},
            "guilds": [{"id": g, "unavailable": True} for g in guilds],
            "session_id": session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": self.app_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["fake-discord"],
        }
        if shard is not None:
            ready["shard"] = shard
        return ready

    def shard_of(self, guild_id: str, shard_count: int) -> int:
        """Discord's rule: a server belongs to shard ``(guild_id >> 22) % shard_count``."""
        return (int(guild_id) >> 22) % shard_count

    async def _identify_shard(self, conn: _Conn, d: dict[str, Any], sid: int, count: int) -> None:
        """IDENTIFY of one shard of ``count``: its own session, READY and GUILD_CREATE for
        the servers it owns only, and from then on their events (not resumable)."""
        guilds = [
            g for g in (self.guild_id, self.second_guild_id) if self.shard_of(g, count) == sid
        ]
        session = _ShardSession(conn, sid, count, secrets.token_hex(16))
        async with self._gw_lock:
            self._shards[sid] = session
            self.identify_payloads.append(d)
            self.identify_payload = d
            ready = self._ready(session.session_id, guilds, [sid, count])
            await self._send_shard(session, "READY", ready)
            for g in guilds:
                await self._send_shard(session, "GUILD_CREATE", self._guild_payload(g))
            self.identify_count += 1
        self._notify()

    async def _send_shard(self, session: _ShardSession, t: str, d: dict[str, Any]) -> None:
        session.seq += 1
        await self._ws_send(session.conn, {"op": OP_DISPATCH, "d": d, "s": session.seq, "t": t})

    async def _resume(self, conn: _Conn, d: dict[str, Any]) -> None:
        async with self._gw_lock:
            if (
                d.get("token") != self.token
                or self._session_id is None
                or d.get("session_id") != self._session_id
            ):
                await self._ws_send(
                    conn, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None}
                )
                return
            for other in self._conns:
                other.live = False
            client_seq = d.get("seq") or 0
            for entry in self._backlog:
                if entry.seq > client_seq:
                    await self._send_dispatch(conn, entry)
            self._seq += 1
            resumed = _Dispatch(self._seq, "RESUMED", {"_trace": ["fake-discord"]})
            self._backlog.append(resumed)
            await self._send_dispatch(conn, resumed)
            conn.live = True
            self.resume_count += 1
        self._notify()

    async def drop_gateway(self, code: int | None = None) -> None:
        """Kill the live gateway connection. ``code=None``: abort the TCP connection without a
        close frame; otherwise close with that websocket close code. The session stays
        resumable; dispatches sent meanwhile are queued and replayed on RESUME."""
        async with self._gw_lock:
            conns = [c for c in self._conns if not c.closed]
            for c in conns:
                c.live = False
        for c in conns:
            if code is None:
                transport = c.request.transport
                if transport is not None:
                    transport.abort()
                c.closed = True
            else:
                await c.ws.close(code=code, message=b"dropped by fake_discord")

    async def send_reconnect(self) -> None:
        """Send op 7 RECONNECT; the client closes and RESUMEs."""
        async with self._gw_lock:
            conn = self._live_conn()
            if conn is None:
                raise RuntimeError("no live gateway connection")
            conn.live = False
            await self._ws_send(conn, {"op": OP_RECONNECT, "d": None, "s": None, "t": None})

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9. ``resumable=False`` forgets the session: the client re-IDENTIFYs (its
        ``before_identify_hook`` sleeps 5 s unless overridden)."""
        async with self._gw_lock:
            conn = self._live_conn()
            if conn is None:
                raise RuntimeError("no live gateway connection")
            conn.live = False
            if not resumable:
                self._session_id = None
            await self._ws_send(
                conn, {"op": OP_INVALID_SESSION, "d": resumable, "s": None, "t": None}
            )

    @property
    def gateway_live(self) -> bool:
        return self._live_conn() is not None

    # ------------------------------------------------------------------ things users do

    def _gateway_message(self, msg: dict[str, Any], author: dict[str, Any]) -> dict[str, Any]:
        d = copy.deepcopy(msg)
        guild_id = self.channels[str(msg["channel_id"])].get("guild_id")
        if guild_id is None:  # a DM: no server, no member objects
            d.pop("guild_id", None)
            return d
        d["guild_id"] = guild_id
        d["member"] = self._member(author, with_user=False)
        d["mentions"] = [
            {**u, "member": self._member(u, with_user=False)} for u in d.get("mentions", [])
        ]
        return d

    async def send_message(
        self,
        text: str,
        channel_id: str | int | None = None,
        author: dict[str, Any] | None = None,
        mentions: list[dict[str, Any]] | None = None,
        mention_bot: bool = False,
        reference_message_id: str | int | None = None,
    ) -> dict[str, Any]:
        """A user posts ``text``: dispatches MESSAGE_CREATE (queued while the gateway is down)
        and returns the message object."""
        cid = str(channel_id or self.channel_id)
        if cid not in self.channels:
            raise ValueError(f"unknown channel {cid}")
        author = author or self.user
        mentions = list(mentions or [])
        if mention_bot:
            text = f"<@{self.bot_user['id']}> {text}"
            mentions.append(self.bot_user)
        extra: dict[str, Any] = {"mentions": mentions}
        msg_type = 0
        if reference_message_id is not None:
            ref = self.messages.get(str(reference_message_id))
            if ref is None:
                raise ValueError(f"unknown message {reference_message_id}")
            extra["message_reference"] = {
                "type": 0,
                "message_id": ref["id"],
                "channel_id": ref["channel_id"],
                "guild_id": self.guild_id,
            }
            extra["referenced_message"] = copy.deepcopy(ref)
            msg_type = 19
        msg = self._new_message(
            channel_id=cid, author=author, body={"content": text}, msg_type=msg_type, extra=extra
        )
        await self._dispatch("MESSAGE_CREATE", self._gateway_message(msg, author))
        return copy.deepcopy(msg)

    async def start_thread(self, message: dict[str, Any], name: str = "Follow-ups") -> str:
        """A member starts a thread on ``message`` (a thread started on a message has the
        message's id); dispatches THREAD_CREATE and returns the thread's id."""
        stored = self.messages[str(message["id"])]
        parent = self.channels[str(stored["channel_id"])]
        thread = {
            "id": stored["id"],
            "type": 11,
            "guild_id": parent["guild_id"],
            "parent_id": parent["id"],
            "owner_id": self.user["id"],
            "name": name,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": 1440,
                "archive_timestamp": _now_iso(),
                "locked": False,
            },
        }
        self.channels[thread["id"]] = thread
        await self._dispatch("THREAD_CREATE", {**copy.deepcopy(thread), "newly_created": True})
        return str(thread["id"])

    async def redeliver(self, message: dict[str, Any]) -> None:
        """Dispatch MESSAGE_CREATE for a message already sent, as a gateway replay may."""
        stored = self.messages[str(message["id"])]
        await self._dispatch("MESSAGE_CREATE", self._gateway_message(stored, stored["author"]))

    def _find_command(self, name: str) -> tuple[dict[str, Any], str | None]:
        for guild in (self.guild_id, None):
            for cmd in self.commands.get(guild, []):
                if cmd["name"] == name and cmd.get("type", 1) == 1:
                    return cmd, guild
        synced = {g: [c["name"] for c in cs] for g, cs in self.commands.items()}
        raise LookupError(f"slash command {name!r} was not synced by the bot (synced: {synced})")

    def _option_value(self, opt: dict[str, Any], value: Any, resolved: dict[str, Any]) -> Any:
        otype = opt["type"]
        if otype == 3:
            return str(value)
        if otype == 4:
            return int(value)
        if otype == 5:
            return bool(value)
        if otype == 10:
            return float(value)
        if otype in (6, 9):  # user / mentionable
            user = (
                value
                if isinstance(value, dict)
                else next(
                    (u for u in (self.user, self.owner, self.bot_user) if u["id"] == str(value)),
                    None,
                )
            )
            if user is None:
                raise ValueError(f"unknown user {value!r}")
            resolved.setdefault("users", {})[user["id"]] = user
            member = self._member(user, with_user=False)
            member["permissions"] = str(EVERYONE_PERMISSIONS)
            resolved.setdefault("members", {})[user["id"]] = member
            return user["id"]
        if otype == 7:
            ch = self.channels[str(value)]
            resolved.setdefault("channels", {})[ch["id"]] = {
                **ch,
                "permissions": str(EVERYONE_PERMISSIONS),
            }
            return ch["id"]
        raise ValueError(f"option type {otype} is not supported by fake_discord")

    def _build_options(
        self,
        defs: list[dict[str, Any]],
        values: dict[str, Any],
        resolved: dict[str, Any],
        focused: str | None,
        where: str,
    ) -> list[dict[str, Any]]:
        by_name = {o["name"]: o for o in defs}
        out = []
        for name, value in values.items():
            opt = by_name.get(name)
            if opt is None:
                raise ValueError(f"{where}: no option {name!r} (has {sorted(by_name)})")
            if name == focused:
                if not opt.get("autocomplete"):
                    raise ValueError(f"{where}: option {name!r} has no autocomplete")
                out.append(
                    {"name": name, "type": opt["type"], "value": str(value), "focused": True}
                )
                continue
            val = self._option_value(opt, value, resolved)
            choices = opt.get("choices")
            if choices and val not in [c["value"] for c in choices]:
                raise ValueError(f"{where}: {val!r} is not a choice of {name!r}")
            out.append({"name": name, "type": opt["type"], "value": val})
        if focused is None:
            missing = [o["name"] for o in defs if o.get("required") and o["name"] not in values]
            if missing:
                raise ValueError(f"{where}: required options missing: {missing}")
        return out

    def _interaction_base(
        self, itype: int, user: dict[str, Any] | None, channel_id: str | int | None
    ) -> dict[str, Any]:
        user = user or self.user
        cid = str(channel_id or self.channel_id)
        member = self._member(user)
        member["permissions"] = str(EVERYONE_PERMISSIONS)
        return {
            "id": self._snowflake(),
            "application_id": self.app_id,
            "type": itype,
            "token": "itx." + secrets.token_urlsafe(32),
            "version": 1,
            "guild_id": self.guild_id,
            "guild": {"id": self.guild_id, "locale": "en-US", "features": []},
            "channel_id": cid,
            "channel": copy.deepcopy(self.channels[cid]),
            "member": member,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": str(EVERYONE_PERMISSIONS),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "authorizing_integration_owners": {"0": self.guild_id},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }

    async def _deliver_interaction(self, payload: dict[str, Any]) -> dict[str, Any]:
        itx = _Interaction(payload=payload)
        self._interactions[itx.id] = itx

        def on_sent() -> None:
            itx.delivered_at = asyncio.get_running_loop().time()

        await self._dispatch("INTERACTION_CREATE", payload, on_sent=on_sent)
        return copy.deepcopy(payload)

    def _command_payload(
        self,
        itype: int,
        name: str,
        options: dict[str, Any] | None,
        focused: str | None,
        user: dict[str, Any] | None,
        channel_id: str | int | None,
    ) -> dict[str, Any]:
        parts = name.split()
        cmd, guild = self._find_command(parts[0])
        resolved: dict[str, Any] = {}
        defs = cmd.get("options") or []
        where = f"/{parts[0]}"
        path: list[dict[str, Any]] = []
        for sub in parts[1:]:
            opt = next((o for o in defs if o["name"] == sub and o["type"] in (1, 2)), None)
            if opt is None:
                raise ValueError(f"{where}: no subcommand {sub!r}")
            path.append({"name": sub, "type": opt["type"]})
            defs = opt.get("options") or []
            where += f" {sub}"
        leaf = self._build_options(defs, dict(options or {}), resolved, focused, where)
        # Nest: command -> group -> subcommand -> options
        inner: list[dict[str, Any]] = leaf
        for node in reversed(path):
            inner = [{**node, "options": inner}]
        data: dict[str, Any] = {"id": cmd["id"], "name": cmd["name"], "type": cmd.get("type", 1)}
        if inner:
            data["options"] = inner
        if resolved:
            data["resolved"] = resolved
        if guild is not None:
            data["guild_id"] = guild
        payload = self._interaction_base(itype, user, channel_id)
        payload["data"] = data
        return payload

    async def send_command(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        user: dict[str, Any] | None = None,
        channel_id: str | int | None = None,
    ) -> dict[str, Any]:
        """A user runs slash command ``name`` (``"group sub"`` for subcommands) as synced by the
        bot. Option values are converted to the synced option types. Returns the payload."""
        payload = self._command_payload(ITX_COMMAND, name, options, None, user, channel_id)
        return await self._deliver_interaction(payload)

    async def send_autocomplete(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        focused: str | None = None,
        user: dict[str, Any] | None = None,
        channel_id: str | int | None = None,
    ) -> dict[str, Any]:
        """An autocomplete request (type 4) while the user types option ``focused``."""
        options = dict(options or {})
        if focused is None:
            if len(options) != 1:
                raise ValueError("pass focused= when giving several options")
            focused = next(iter(options))
        options.setdefault(focused, "")
        payload = self._command_payload(ITX_AUTOCOMPLETE, name, options, focused, user, channel_id)
        return await self._deliver_interaction(payload)

    def _resolve_message(self, message: Any) -> dict[str, Any]:
        if isinstance(message, RecordedRequest):
            mid = str(message.response["id"]) if isinstance(message.response, dict) else None
        elif isinstance(message, dict):
            mid = str(message["id"]) if "id" in message else self._body_to_message.get(id(message))
        else:
            mid = str(message)
        stored = self.messages.get(mid) if mid else None
        if stored is None:
            raise LookupError(f"unknown message {message!r}")
        return stored

    async def _component(
        self,
        message: Any,
        custom_id: str,
        user: dict[str, Any] | None,
        want: set[int],
        values: list[str] | None,
    ) -> dict[str, Any]:
        from .schema import _walk_components

        stored = self._resolve_message(message)
        comp = next(
            (c for c in _walk_components(stored["components"]) if c.get("custom_id") == custom_id),
            None,
        )
        if comp is None:
            ids = [
                c.get("custom_id")
                for c in _walk_components(stored["components"])
                if c.get("custom_id")
            ]
            raise LookupError(f"no component {custom_id!r} on message {stored['id']} (has {ids})")
        if comp.get("type") not in want:
            raise ValueError(
                f"component {custom_id!r} has type {comp.get('type')}, not {sorted(want)}"
            )
        if comp.get("disabled"):
            raise ValueError(f"component {custom_id!r} is disabled")
        payload = self._interaction_base(ITX_COMPONENT, user, stored["channel_id"])
        payload["message"] = copy.deepcopy(stored)
        payload["data"] = {"custom_id": custom_id, "component_type": comp["type"]}
        if values is not None:
            payload["data"]["values"] = list(values)
        return await self._deliver_interaction(payload)

    async def click_button(
        self, message: Any, custom_id: str, user: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A user clicks button ``custom_id`` on a message the bot sent. ``message``: a message
        object (with ``id``), a message id, a RecordedRequest that created it, or a body dict
        returned by ``messages_sent()``/``interaction_messages()``."""
        return await self._component(message, custom_id, user, {2}, None)

    async def select_option(
        self, message: Any, custom_id: str, values: list[str], user: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A user picks ``values`` in select menu ``custom_id``."""
        return await self._component(message, custom_id, user, {3, 5, 6, 7, 8}, values)

    # ------------------------------------------------------------------ inspecting results

    def _itx_requests(self, itx: _Interaction) -> list[RecordedRequest]:
        out = []
        for r in self.requests:
            if r.injected:
                continue
            if r.path == f"/interactions/{itx.id}/{itx.token}/callback" or r.path.startswith(
                f"/webhooks/{self.app_id}/{itx.token}"
            ):
                out.append(r)
        return out

    def interaction_requests(self, itx: Any) -> list[RecordedRequest]:
        """Callback, follow-up and edit requests for this interaction (not injected failures)."""
        return self._itx_requests(self._interaction_for(itx))

    async def wait_for_interaction_response(self, itx: Any, timeout: float = 5) -> RecordedRequest:
        """The first callback/follow-up/edit the bot sent for ``itx`` (whatever its status)."""
        record = self._interaction_for(itx)

        def check() -> RecordedRequest | None:
            reqs = self._itx_requests(record)
            return reqs[0] if reqs else None

        return await self._wait_until(check, timeout, f"a response to interaction {record.id}")

    def interaction_messages(self, itx: Any) -> list[Any]:
        """Message bodies the bot produced for ``itx`` in order: callback data (types 4/7),
        PATCH @original / follow-up edits, follow-ups. Only successful requests."""
        record = self._interaction_for(itx)
        out: list[Any] = []
        for r in self._itx_requests(record):
            if not r.ok or r.json is None:
                continue
            if r.path.endswith("/callback"):
                if r.json.get("type") in (CB_MESSAGE, CB_UPDATE):
                    out.append(r.json.get("data") or {})
            elif r.method in ("POST", "PATCH"):
                out.append(r.json)
        return out

    async def wait_for_interaction_messages(
        self, itx: Any, count: int = 1, timeout: float = 5
    ) -> list[Any]:
        """Wait until ``interaction_messages(itx)`` has at least ``count`` entries."""
        return await self._wait_until(
            lambda: msgs if len(msgs := self.interaction_messages(itx)) >= count else None,
            timeout,
            f"{count} message(s) for interaction {_id_of(itx)}",
        )

    def autocomplete_choices(self, itx: Any) -> list[dict[str, Any]] | None:
        """Choices of the type-8 callback for an autocomplete interaction (None if none yet)."""
        for r in self._itx_requests(self._interaction_for(itx)):
            if r.ok and r.path.endswith("/callback") and r.json.get("type") == CB_AUTOCOMPLETE:
                return (r.json.get("data") or {}).get("choices")
        return None

    def messages_sent(self, channel_id: str | int | None = None) -> list[Any]:
        """JSON bodies of successful ``POST /channels/{id}/messages`` requests, in order."""
        rx = re.compile(r"/channels/(\d+)/messages")
        out = []
        for r in self.requests:
            m = rx.fullmatch(r.path)
            if (
                r.method == "POST"
                and m
                and r.ok
                and (channel_id is None or m.group(1) == str(channel_id))
            ):
                out.append(r.json)
        return out

    def bot_messages(self, channel_id: str | int | None = None) -> list[dict[str, Any]]:
        """Current stored message objects authored by the bot (channel posts and interaction
        responses, latest edits applied), oldest first."""
        msgs = [
            m
            for m in self.messages.values()
            if m["author"]["id"] == self.bot_user["id"]
            and (channel_id is None or m["channel_id"] == str(channel_id))
        ]
        return sorted(msgs, key=lambda m: int(m["id"]))

    def get_message(self, message_id: str | int) -> dict[str, Any] | None:
        return self.messages.get(str(message_id))

    def unknown_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.unknown_route]

    def all_validation_errors(self) -> list[str]:
        """Schema + documented-limit errors over every recorded request, plus requests to
        routes the fake does not know and interaction responses that came too late."""
        from .schema import validate_request

        errors: list[str] = []
        for r in self.requests:
            if r.unknown_route:
                errors.append(f"{r.method} {r.path}: route unknown to fake_discord (404)")
            if r.injected:
                continue
            errors += validate_request(r)
        for itx in self._interactions.values():
            if itx.late:
                errors.append(
                    f"interaction {itx.id}: first response later than {self.interaction_timeout}s"
                )
        return errors
