#!/usr/bin/env python3
"""matrix-nio as the independent encrypting client of the benchmark: the Python bot SDK that
such jobs use today. Runs in the venv of `synapse_harness.py ensure-nio-venv --version 0.26.0`.

    nio_bench_peer.py --role sender|receiver --homeserver URL --user USER_ID --room ROOM_ID
                      --count N --store DIR [--inflight K]

Speaks the protocol of bench_protocol.py. The receiver syncs as nio's sync_forever does (one
long-polling sync after the other, keys uploaded, queried and claimed in between); the sender
encrypts for the receiver's devices without verifying them, as nio needs to be told.
"""

import asyncio
import logging
import os
import sys

import bench_protocol as protocol
from nio import (
    AsyncClient,
    AsyncClientConfig,
    JoinedMembersError,
    LoginResponse,
    MegolmEvent,
    RoomMessageText,
    RoomSendResponse,
    SyncResponse,
)


async def upkeep(client: AsyncClient) -> None:
    """What sync_forever does between syncs: to-device messages out, keys up, devices in."""
    if client.outgoing_to_device_messages:
        await client.send_to_device_messages()
    if client.should_upload_keys:
        await client.keys_upload()
    if client.should_query_keys:
        await client.keys_query()
    if client.should_claim_keys:
        await client.keys_claim(client.get_users_for_key_claiming())


async def sync(client: AsyncClient, timeout_ms: int) -> SyncResponse:
    response = await client.sync(timeout=timeout_ms, full_state=not client.next_batch)
    if not isinstance(response, SyncResponse):
        protocol.fail(f"sync failed: {type(response).__name__}")
    await upkeep(client)
    return response


async def send(client: AsyncClient, args) -> None:
    room = client.rooms.get(args.room)
    if room is None or not room.encrypted:
        protocol.fail("the room is not known as encrypted")
    if not room.members_synced:
        members = await client.joined_members(args.room)
        if isinstance(members, JoinedMembersError):
            protocol.fail("reading the room's members failed")
    await upkeep(client)
    protocol.say("READY")
    await asyncio.get_running_loop().run_in_executor(None, protocol.wait_for_go)

    async def send_one(index: int) -> None:
        response = await client.room_send(
            args.room,
            "m.room.message",
            {"msgtype": "m.text", "body": protocol.body(index)},
            ignore_unverified_devices=True,
        )
        if not isinstance(response, RoomSendResponse):
            protocol.fail(f"send {index} failed: {type(response).__name__}")

    started = protocol.now_ms()
    # The first send shares the Megolm session; the rest may then go concurrently without each
    # of them sharing a session of its own.
    await send_one(0)
    pending = iter(range(1, args.count))

    async def worker() -> None:
        for index in pending:
            await send_one(index)

    await asyncio.gather(*(worker() for _ in range(args.inflight)))
    protocol.result({"started_ms": started, "finished_ms": protocol.now_ms()})


async def receive(client: AsyncClient, args) -> None:
    receiving = protocol.Receiving(args.count)

    def on_text(_room, event: RoomMessageText) -> None:
        receiving.saw(event.body)

    client.add_event_callback(on_text, RoomMessageText)
    receiving.ready()
    undecrypted = 0
    while not receiving.done():
        response = await sync(client, 30000)
        room = response.rooms.join.get(args.room)
        if room is not None:
            undecrypted += sum(isinstance(e, MegolmEvent) for e in room.timeline.events)
    if undecrypted:
        logging.warning("%d events arrived undecryptable", undecrypted)
    receiving.report()


async def run(args) -> None:
    config = AsyncClientConfig(store_sync_tokens=True, encryption_enabled=True)
    os.makedirs(args.store, exist_ok=True)
    client = AsyncClient(args.homeserver, args.user, store_path=args.store, config=config)
    try:
        response = await client.login(protocol.password(), device_name=f"nio bench {args.role}")
        if not isinstance(response, LoginResponse):
            protocol.fail("login failed")
        await upkeep(client)
        await sync(client, 0)
        if args.role == "sender":
            await send(client, args)
        else:
            await receive(client, args)
    finally:
        await client.close()


def main() -> None:
    args = protocol.arguments(__doc__.split("\n\n")[0], with_store=True)
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
