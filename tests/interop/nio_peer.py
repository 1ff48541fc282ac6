#!/usr/bin/env python3
"""An independent Matrix client for the end-to-end-encryption interop test of tim-headless.

matrix-nio with libolm shares no crypto code with our Rust core (matrix-sdk with vodozemac), so a
message that survives the trip between the two proves that both speak Olm and Megolm as
specified, not merely alike. Runs inside the venv of `synapse_harness.py ensure-nio-venv`:

    nio_peer.py --homeserver URL --user @nio:localhost --password PW --store DIR [--timeout 60]

It speaks a line protocol on stdout (UTF-8, flushed after every line; nothing else goes there):

    READY <device_id> <nio> <crypto>   logged in, device keys uploaded; nio's version and the
                                       crypto library it encrypts with (olm or vodozemac)
    JOINED <room_id>                   accepted an invitation
    RECEIVED <room_id> <event_id> <encrypted:true|false> <body as JSON string>
                                       an m.text message from another user
    EVENT <room_id> <event_id> <encrypted:true|false> <JSON object>
                                       a message-like event from another user, see below
    SENT <event_id>                    answered "ping:X" with an encrypted "pong:X", or carried
                                       out a command
    ERROR <text>                       then exits 1

EVENT comes for every timeline event from another user that is no state event: m.room.message of
any msgtype (after its RECEIVED line for m.text), m.reaction, m.room.redaction and custom types
such as de.gematik.fhir. An event that could not be decrypted yet comes once its room key has
arrived. Its JSON object is compact with sorted keys (json.dumps with separators=(",", ":") and
sort_keys=True, non-ASCII characters unescaped):

    {"content": <the content, decrypted>, "type": <the event type>}
    plus, for a redaction, "redacts": <the redacted event ID>
    plus, for an m.file, m.image, m.audio or m.video with an encrypted "file" object, the peer's
    download of it: "download": {"sha256": <hex SHA-256 of the decrypted bytes>, "size": <bytes>}
    or "download": {"error": <text>} when downloading or decrypting failed

Commands come on stdin, one a line; they are carried out one after another, between syncs:

    SEND <room_id> <event_type> <JSON object>
        sends that content, encrypted (also an m.reaction, which nio by itself sends in clear)
    SENDFILE <room_id> <msgtype> <mime type> <path>
        encrypts the file with nio's attachment encryption, uploads it, and sends an encrypted
        m.room.message of that msgtype with body and filename (the file's name), info (mimetype,
        size) and the file object; the path is the rest of the line and may contain spaces
    REDACT <room_id> <event_id> [reason]
        redacts an event (redactions are never encrypted)
    SENDLATEKEY <room_id> <JSON object>
        sends that content as an encrypted m.room.message under a fresh Megolm session whose key
        it gives nobody, so that the receiver holds an event it cannot decrypt yet
    SHAREKEY <room_id>
        shares that session's key, from its first message on, with the room's devices, and prints
        SHARED <room_id> instead of SENT

Each other command prints SENT <event_id> of the event it sent. A command for a room the peer has
not synced yet waits for it, up to 30 seconds. A malformed or failing command ends the peer with
ERROR.

It runs until stdin closes or the timeout elapses, then exits 0. Logs go to stderr.
"""

import argparse
import asyncio
import collections
import hashlib
import importlib.metadata
import importlib.util
import json
import logging
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit
from uuid import uuid4

from nio import (
    Api,
    AsyncClient,
    AsyncClientConfig,
    EncryptionError,
    JoinedMembersError,
    JoinError,
    KeysQueryError,
    KeysUploadError,
    LoginResponse,
    MegolmEvent,
    MemoryDownloadResponse,
    RoomMessageText,
    RoomRedactResponse,
    RoomSendResponse,
    SyncResponse,
    UploadResponse,
)
from nio.crypto.attachments import decrypt_attachment, encrypt_attachment

SYNC_TIMEOUT_MS = 1000  # short long-polls, so that a closed stdin ends the peer within a second
ROOM_WAIT_S = 30.0  # how long a command waits for its room to appear in a sync
PING = "ping:"
PONG = "pong:"
ATTACHMENT_TYPES = ("m.file", "m.image", "m.audio", "m.video")
COMMANDS = ("SEND", "SENDFILE", "REDACT", "SENDLATEKEY", "SHAREKEY")


class PeerError(Exception):
    """A failure that ends the peer with ERROR and exit code 1."""


def crypto_library() -> str:
    """The Olm/Megolm implementation this nio encrypts with: libolm up to 0.25, vodozemac after."""
    return "vodozemac" if importlib.util.find_spec("vodozemac") else "olm"


def say(*fields: str) -> None:
    print(" ".join(fields), flush=True)


def compact(value) -> str:
    """One line of JSON that the Java test can check with plain string comparisons."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def watch_stdin(
    loop: asyncio.AbstractEventLoop, commands: collections.deque, closed: asyncio.Event
) -> None:
    """Hand every line of stdin to the loop as a command, and set closed at end of file: the
    parent's way of saying 'stop'. Both go through the loop, so no command comes after closed."""

    def read() -> None:
        try:
            for raw in iter(sys.stdin.buffer.readline, b""):
                line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
                if line.strip():
                    loop.call_soon_threadsafe(commands.append, line)
            loop.call_soon_threadsafe(closed.set)
        except RuntimeError:
            pass  # the loop has ended already; nobody is listening any more

    threading.Thread(target=read, name="stdin-watch", daemon=True).start()


def fields(rest: str, count: int, verb: str) -> list:
    """The space-separated fields of a command; the last one takes the rest of the line."""
    parts = rest.split(" ", count - 1)
    if len(parts) != count or not all(parts):
        raise PeerError(f"malformed {verb} command: it needs {count} fields")
    return parts


def json_object(text: str, verb: str) -> dict:
    """The JSON object a command carries as its content."""
    try:
        content = json.loads(text)
    except json.JSONDecodeError as error:
        raise PeerError(f"{verb} content is no JSON: {error}") from error
    if not isinstance(content, dict):
        raise PeerError(f"{verb} content must be a JSON object")
    return content


class Peer:
    def __init__(self, client: AsyncClient):
        self.client = client
        self.joined = set()
        self.seen = set()
        self.answered = set()
        # Megolm events whose room key had not arrived yet; retried after every sync, because
        # the key (a to-device event) may come in a later sync than the message.
        self.pending = []
        # Command lines from stdin, oldest first; the first waits while its room is unknown.
        self.commands = collections.deque()
        self.waiting_since = None
        # Keys of the sessions SENDLATEKEY used, by room, until SHAREKEY hands them over.
        self.withheld_keys = {}

    async def login(self, password: str) -> str:
        response = await self.client.login(password, device_name="nio interop peer")
        if not isinstance(response, LoginResponse):
            raise PeerError(f"login failed: {response}")
        await self.upkeep()
        return response.device_id

    async def upkeep(self) -> None:
        """What nio's sync_forever does between syncs: keys up, devices in, sessions claimed."""
        client = self.client
        if client.outgoing_to_device_messages:
            await client.send_to_device_messages()
        if client.should_upload_keys:
            response = await client.keys_upload()
            if isinstance(response, KeysUploadError):
                raise PeerError(f"keys upload failed: {response}")
        if client.should_query_keys:
            response = await client.keys_query()
            if isinstance(response, KeysQueryError):
                raise PeerError(f"keys query failed: {response}")
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())

    async def sync(self, timeout_ms: int) -> SyncResponse:
        response = await self.client.sync(timeout=timeout_ms, full_state=not self.client.next_batch)
        if not isinstance(response, SyncResponse):
            raise PeerError(f"sync failed: {response}")
        await self.upkeep()
        return response

    async def handle(self, response: SyncResponse) -> None:
        # Invitations first, then timelines: a sync can carry both the join and the message.
        for room_id in response.rooms.invite:
            await self.join(room_id)
        for room_id, room in response.rooms.join.items():
            for event in room.timeline.events:
                await self.on_event(room_id, event)
        retry, self.pending = self.pending, []
        for room_id, event in retry:
            await self.on_event(room_id, event)

    async def join(self, room_id: str) -> None:
        if room_id in self.joined:
            return
        response = await self.client.join(room_id)
        if isinstance(response, JoinError):
            raise PeerError(f"joining {room_id} failed: {response}")
        self.joined.add(room_id)
        say("JOINED", room_id)

    async def on_event(self, room_id: str, event) -> None:
        # Bad events (content that failed nio's schema) have an ID and a sender too; only the
        # shapeless UnknownBadEvent has neither and is skipped.
        event_id = getattr(event, "event_id", None)
        sender = getattr(event, "sender", None)
        if event_id is None or sender == self.client.user_id or event_id in self.seen:
            return
        if isinstance(event, MegolmEvent):
            try:
                event = self.client.decrypt_event(event)
            except EncryptionError:
                self.pending.append((room_id, event))
                return
        source = event.source
        if "state_key" in source:
            return
        if source.get("type") == "m.room.encrypted":
            # An algorithm nio does not know (UnknownEncryptedEvent): nothing to show.
            logging.warning("event %s is encrypted in a way nio cannot decrypt", event_id)
            return
        self.seen.add(event_id)
        encrypted = "true" if getattr(event, "decrypted", False) else "false"
        if isinstance(event, RoomMessageText):
            say("RECEIVED", room_id, event_id, encrypted, json.dumps(event.body))
        say("EVENT", room_id, event_id, encrypted, compact(await self.view(source)))
        if (
            isinstance(event, RoomMessageText)
            and event.body.startswith(PING)
            and event_id not in self.answered
        ):
            self.answered.add(event_id)
            await self.answer(room_id, PONG + event.body[len(PING) :])

    async def view(self, source: dict) -> dict:
        """What EVENT prints of an event: its type and (decrypted) content, and what the peer
        made of a redaction or an attachment."""
        content = source.get("content")
        content = content if isinstance(content, dict) else {}
        view = {"type": source.get("type"), "content": content}
        if view["type"] == "m.room.redaction":
            # Up to room version 10 the target is a top-level key; from 11 on it is in the content.
            redacts = source.get("redacts") or content.get("redacts")
            if redacts:
                view["redacts"] = redacts
        file = content.get("file")
        if (
            view["type"] == "m.room.message"
            and content.get("msgtype") in ATTACHMENT_TYPES
            and isinstance(file, dict)
        ):
            view["download"] = await self.download(file)
        return view

    async def download(self, file: dict) -> dict:
        """Downloads and decrypts an encrypted attachment; errors are reported, not raised, so
        that the test sees what went wrong with which file."""
        try:
            url, iv = file["url"], file["iv"]
            key, sha256 = file["key"]["k"], file["hashes"]["sha256"]
        except (KeyError, TypeError):
            return {"error": "the file object lacks url, key.k, hashes.sha256 or iv"}
        # nio 0.25.2 downloads through the authenticated /_matrix/client/v1/media endpoint, with
        # the access token in the Authorization header, as Synapse requires of new media.
        response = await self.client.download(mxc=url)
        if not isinstance(response, MemoryDownloadResponse):
            return {"error": f"download failed: {response}"}
        try:
            # Checks the ciphertext against the event's hash before decrypting it.
            plaintext = decrypt_attachment(response.body, key, sha256, iv)
        except EncryptionError as error:
            return {"error": f"decryption failed: {error}"}
        return {"sha256": hashlib.sha256(plaintext).hexdigest(), "size": len(plaintext)}

    async def answer(self, room_id: str, body: str) -> None:
        await self.send(room_id, "m.room.message", {"msgtype": "m.text", "body": body})

    def encrypted_room(self, room_id: str):
        room = self.client.rooms.get(room_id)
        # nio would silently send in clear into a room it does not know to be encrypted.
        if room is None or not room.encrypted:
            raise PeerError(f"room {room_id} is not known as encrypted; refusing to send")
        return room

    async def send(self, room_id: str, event_type: str, content: dict) -> None:
        self.encrypted_room(room_id)
        # The sender must know the receiver's devices before encrypting; nio trusts none of
        # them (it has no cross-signing), hence ignore_unverified_devices.
        await self.upkeep()
        if event_type == "m.reaction":
            event_id = await self.send_encrypted_reaction(room_id, content)
        else:
            response = await self.client.room_send(
                room_id, event_type, content, ignore_unverified_devices=True
            )
            if not isinstance(response, RoomSendResponse):
                raise PeerError(f"sending {event_type} into {room_id} failed: {response}")
            event_id = response.event_id
        say("SENT", event_id)

    async def send_encrypted_reaction(self, room_id: str, content: dict) -> str:
        """Sends a reaction encrypted. nio's room_send sends m.reaction in clear (it predates
        encrypted relations), but other clients such as Element encrypt reactions, and ours must
        decrypt them; so this does the encrypting half of room_send with nio's own session."""
        client = self.client
        await self.prepare_encryption(room_id)
        if client.olm.should_share_group_session(room_id):
            await client.share_group_session(room_id, ignore_unverified_devices=True)
        # encrypt() leaves m.relates_to in the clear as well, as relations must be.
        event_type, encrypted = client.encrypt(room_id, "m.reaction", content)
        return await self.post_event(room_id, event_type, encrypted)

    async def send_with_late_key(self, room_id: str, content: dict) -> None:
        """Sends a message under a fresh Megolm session that nobody has the key of yet."""
        client = self.client
        await self.prepare_encryption(room_id)
        client.olm.outbound_group_sessions.pop(room_id, None)
        client.olm.create_outbound_group_session(room_id)
        session = client.olm.outbound_group_sessions[room_id]
        # The key as it is before the first message: the one a receiver needs to decrypt it.
        self.withheld_keys[room_id] = session.session_key
        # nio encrypts only with a session it has shared; claiming so is the point here. Until
        # SHAREKEY, later messages into the room use this session too.
        session.shared = True
        event_type, encrypted = client.encrypt(room_id, "m.room.message", content)
        say("SENT", await self.post_event(room_id, event_type, encrypted))

    async def share_withheld_key(self, room_id: str) -> None:
        first_key = self.withheld_keys.pop(room_id, None)
        if first_key is None:
            raise PeerError(f"SHAREKEY without an earlier SENDLATEKEY into {room_id}")
        session = self.client.olm.outbound_group_sessions[room_id]

        # nio shares a session's current key, which no longer decrypts the messages sent
        # already; this session hands out the key from before its first message instead.
        class FromFirstMessage(type(session)):
            session_key = property(lambda _session: first_key)

        session.__class__ = FromFirstMessage
        session.shared = False
        await self.client.share_group_session(room_id, ignore_unverified_devices=True)
        say("SHARED", room_id)

    async def prepare_encryption(self, room_id: str) -> None:
        """Makes sure nio knows the room's members and their devices before it encrypts."""
        if not self.encrypted_room(room_id).members_synced:
            response = await self.client.joined_members(room_id)
            if isinstance(response, JoinedMembersError):
                raise PeerError(f"reading the members of {room_id} failed: {response}")
        await self.upkeep()

    async def post_event(self, room_id: str, event_type: str, content: dict) -> str:
        """Sends content nio has encrypted already, as room_send would without encrypting."""
        client = self.client
        method, path, data = Api.room_send(
            client.access_token, room_id, event_type, content, uuid4()
        )
        # Synapse refuses a token in both the query and the header; the header is the current way.
        path = urlsplit(path)._replace(query="").geturl()
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {client.access_token}",
        }
        response = await client.send(method, path, data, headers)
        body = await response.json(content_type=None)
        if response.status != 200 or "event_id" not in body:
            raise PeerError(f"sending {event_type} into {room_id} failed: {body}")
        return body["event_id"]

    async def send_file(self, room_id: str, msgtype: str, mime_type: str, path: Path) -> None:
        if msgtype not in ATTACHMENT_TYPES:
            raise PeerError(f"SENDFILE needs one of {', '.join(ATTACHMENT_TYPES)}, not {msgtype}")
        self.encrypted_room(room_id)
        try:
            plaintext = path.read_bytes()
        except OSError as error:
            raise PeerError(f"reading {path} failed: {error}") from error
        # nio's attachment encryption (AES-CTR, SHA-256 of the ciphertext), the one that
        # client.upload(encrypt=True) uses too; done here so the upload has a known length.
        ciphertext, decryption = encrypt_attachment(plaintext)
        response, _ = await self.client.upload(
            lambda _got_429, _got_timeouts: ciphertext,
            content_type="application/octet-stream",
            filename=path.name,
            filesize=len(ciphertext),
        )
        if not isinstance(response, UploadResponse):
            raise PeerError(f"uploading {path.name} failed: {response}")
        content = {
            "msgtype": msgtype,
            "body": path.name,
            "filename": path.name,
            "info": {"mimetype": mime_type, "size": len(plaintext)},
            # v, key (a JWK), iv and hashes come from encrypt_attachment.
            "file": {"url": response.content_uri, **decryption},
        }
        await self.send(room_id, "m.room.message", content)

    async def redact(self, room_id: str, event_id: str, reason) -> None:
        response = await self.client.room_redact(room_id, event_id, reason=reason)
        if not isinstance(response, RoomRedactResponse):
            raise PeerError(f"redacting {event_id} failed: {response}")
        say("SENT", response.event_id)

    async def run_commands(self) -> None:
        """Carries out the queued commands in order; stops at one whose room is not synced yet."""
        while self.commands:
            verb, _, rest = self.commands[0].partition(" ")
            if verb not in COMMANDS:
                raise PeerError(f"unknown command {verb!r}")
            room_id = rest.partition(" ")[0]
            if not room_id:
                raise PeerError(f"malformed {verb} command: it names no room")
            if not self.room_synced(room_id):
                return
            self.commands.popleft()
            await self.command(verb, rest)

    def room_synced(self, room_id: str) -> bool:
        # A command may come right after JOINED, before the sync that tells nio about the room.
        if room_id in self.client.rooms:
            self.waiting_since = None
            return True
        now = time.monotonic()
        if self.waiting_since is None:
            self.waiting_since = now
        elif now - self.waiting_since > ROOM_WAIT_S:
            raise PeerError(f"room {room_id!r} did not appear within {ROOM_WAIT_S:.0f} s")
        return False

    async def command(self, verb: str, rest: str) -> None:
        if verb == "SEND":
            room_id, event_type, content_json = fields(rest, 3, verb)
            await self.send(room_id, event_type, json_object(content_json, verb))
        elif verb == "SENDFILE":
            room_id, msgtype, mime_type, path = fields(rest, 4, verb)
            await self.send_file(room_id, msgtype, mime_type, Path(path))
        elif verb == "REDACT":
            parts = rest.split(" ", 2)
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise PeerError("malformed REDACT command: it needs a room and an event")
            await self.redact(parts[0], parts[1], parts[2] if len(parts) == 3 else None)
        elif verb == "SENDLATEKEY":
            room_id, content_json = fields(rest, 2, verb)
            await self.send_with_late_key(room_id, json_object(content_json, verb))
        elif verb == "SHAREKEY":
            (room_id,) = fields(rest, 1, verb)
            await self.share_withheld_key(room_id)
        else:
            raise PeerError(f"unknown command {verb!r}")


async def run(args) -> None:
    store = Path(args.store)
    store.mkdir(parents=True, exist_ok=True)
    config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False)
    client = AsyncClient(args.homeserver, args.user, store_path=str(store), config=config)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.timeout
    stdin_closed = asyncio.Event()
    try:
        peer = Peer(client)
        watch_stdin(loop, peer.commands, stdin_closed)
        device_id = await peer.login(args.password)
        # One sync before READY, so that the uploaded keys are in place when the other side asks.
        first = await peer.sync(0)
        say("READY", device_id, importlib.metadata.version("matrix-nio"), crypto_library())
        await peer.handle(first)
        while loop.time() < deadline:
            # Commands that came before the end of stdin are still carried out.
            await peer.run_commands()
            if stdin_closed.is_set():
                break
            await peer.handle(await peer.sync(SYNC_TIMEOUT_MS))
    finally:
        await client.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--homeserver", required=True)
    parser.add_argument("--user", required=True, help="full Matrix ID, e.g. @nio:localhost")
    parser.add_argument("--password", required=True)
    parser.add_argument("--store", required=True, help="directory for nio's crypto store")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds until it exits")
    args = parser.parse_args(argv)
    # The Java side reads UTF-8 whatever the locale; a lone surrogate must not end the peer.
    sys.stdout.reconfigure(encoding="utf-8", errors="backslashreplace")
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    try:
        asyncio.run(run(args))
    except Exception as error:  # noqa: BLE001 - every failure must reach the parent as ERROR
        say("ERROR", f"{type(error).__name__}: {error}".replace("\n", " "))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
