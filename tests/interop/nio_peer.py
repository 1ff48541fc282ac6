#!/usr/bin/env python3
"""An independent Matrix client for the end-to-end-encryption interop test of tim-headless.

matrix-nio with libolm shares no crypto code with our Rust core (matrix-sdk with vodozemac), so a
message that survives the trip between the two proves that both speak Olm and Megolm as
specified, not merely alike. Runs inside the venv of `synapse_harness.py ensure-nio-venv`:

    nio_peer.py --homeserver URL --user @nio:localhost --password PW --store DIR [--timeout 60]

It speaks a line protocol on stdout (flushed after every line; nothing else goes there):

    READY <device_id>                  logged in, device keys uploaded
    JOINED <room_id>                   accepted an invitation
    RECEIVED <room_id> <event_id> <encrypted:true|false> <body as JSON string>
    SENT <event_id>                    answered "ping:X" with an encrypted "pong:X"
    ERROR <text>                       then exits 1

It runs until stdin closes or the timeout elapses, then exits 0. Logs go to stderr.
"""

import argparse
import asyncio
import json
import logging
import sys
import threading
from pathlib import Path

from nio import (
    AsyncClient,
    AsyncClientConfig,
    EncryptionError,
    JoinError,
    KeysQueryError,
    KeysUploadError,
    LoginResponse,
    MegolmEvent,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)

SYNC_TIMEOUT_MS = 1000  # short long-polls, so that a closed stdin ends the peer within a second
PING = "ping:"
PONG = "pong:"


class PeerError(Exception):
    """A failure that ends the peer with ERROR and exit code 1."""


def say(*fields: str) -> None:
    print(" ".join(fields), flush=True)


def watch_stdin(loop: asyncio.AbstractEventLoop, closed: asyncio.Event) -> None:
    """Set closed once stdin reaches end of file: the parent's way of saying 'stop'."""

    def drain() -> None:
        while sys.stdin.buffer.read(4096):
            pass
        loop.call_soon_threadsafe(closed.set)

    threading.Thread(target=drain, name="stdin-watch", daemon=True).start()


class Peer:
    def __init__(self, client: AsyncClient):
        self.client = client
        self.joined = set()
        self.seen = set()
        self.answered = set()
        # Megolm events whose room key had not arrived yet; retried after every sync, because
        # the key (a to-device event) may come in a later sync than the message.
        self.pending = []

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
        if event.sender == self.client.user_id or event.event_id in self.seen:
            return
        if isinstance(event, MegolmEvent):
            try:
                event = self.client.decrypt_event(event)
            except EncryptionError:
                self.pending.append((room_id, event))
                return
        if not isinstance(event, RoomMessageText):
            return
        self.seen.add(event.event_id)
        encrypted = "true" if event.decrypted else "false"
        say("RECEIVED", room_id, event.event_id, encrypted, json.dumps(event.body))
        if event.body.startswith(PING) and event.event_id not in self.answered:
            self.answered.add(event.event_id)
            await self.answer(room_id, PONG + event.body[len(PING):])

    async def answer(self, room_id: str, body: str) -> None:
        room = self.client.rooms.get(room_id)
        # nio would silently send in clear into a room it does not know to be encrypted.
        if room is None or not room.encrypted:
            raise PeerError(f"room {room_id} is not known as encrypted; refusing to answer")
        # The sender must know the receiver's devices before encrypting; nio trusts none of
        # them (it has no cross-signing), hence ignore_unverified_devices.
        await self.upkeep()
        response = await self.client.room_send(
            room_id,
            "m.room.message",
            {"msgtype": "m.text", "body": body},
            ignore_unverified_devices=True,
        )
        if not isinstance(response, RoomSendResponse):
            raise PeerError(f"sending into {room_id} failed: {response}")
        say("SENT", response.event_id)


async def run(args) -> None:
    store = Path(args.store)
    store.mkdir(parents=True, exist_ok=True)
    config = AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False)
    client = AsyncClient(args.homeserver, args.user, store_path=str(store), config=config)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.timeout
    stdin_closed = asyncio.Event()
    watch_stdin(loop, stdin_closed)
    try:
        peer = Peer(client)
        device_id = await peer.login(args.password)
        # One sync before READY, so that the uploaded keys are in place when the other side asks.
        first = await peer.sync(0)
        say("READY", device_id)
        await peer.handle(first)
        while not stdin_closed.is_set() and loop.time() < deadline:
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
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    try:
        asyncio.run(run(args))
    except Exception as error:  # noqa: BLE001 - every failure must reach the parent as ERROR
        say("ERROR", f"{type(error).__name__}: {error}".replace("\n", " "))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
