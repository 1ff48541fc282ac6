#!/usr/bin/env python3
"""The homeserver's ceiling: a minimal unencrypted Matrix client over plain HTTP.

It does the least a client can do: a password login, PUT /send with keep-alive connections (one
per send in flight) and a classic /sync loop that reads the timeline. Whatever rate it reaches
is what the homeserver allows; the encrypting clients are measured against it.

    http_peer.py --role sender|receiver --homeserver URL --user USER_ID --room ROOM_ID
                 --count N [--inflight K]

Speaks the protocol of bench_protocol.py. Python's standard library only.
"""

import http.client
import json
import threading
import urllib.parse

import bench_protocol as protocol

# Enough for every message that arrives between two syncs: a limited timeline would drop some.
SYNC_FILTER = json.dumps({"room": {"timeline": {"limit": 500}}, "presence": {"types": []}})


class Connection:
    """One keep-alive HTTP connection with the account's access token."""

    def __init__(self, homeserver: str, token: str = ""):
        url = urllib.parse.urlsplit(homeserver)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
        self.token = token

    def call(self, method: str, path: str, body=None) -> dict:
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode("utf8")
        self.connection.request(method, path, body=data, headers=headers)
        response = self.connection.getresponse()
        reply = json.loads(response.read() or b"{}")
        if response.status != 200:
            protocol.fail(f"{method} {path.split('?')[0]} answered {response.status}: "
                          f"{reply.get('errcode')}")
        return reply


def login(homeserver: str, user: str) -> str:
    reply = Connection(homeserver).call("POST", "/_matrix/client/v3/login", {
        "type": "m.login.password",
        "identifier": {"type": "m.id.user", "user": user},
        "password": protocol.password(),
    })
    return reply["access_token"]


def send(args, token: str) -> None:
    room = urllib.parse.quote(args.room, safe="")
    Connection(args.homeserver, token).call("GET", "/_matrix/client/v3/account/whoami")
    protocol.say("READY")
    protocol.wait_for_go()

    next_index = iter(range(args.count))
    lock = threading.Lock()
    failures = []

    def sender(worker: int) -> None:
        connection = Connection(args.homeserver, token)
        while True:
            with lock:
                index = next(next_index, None)
            if index is None:
                return
            path = f"/_matrix/client/v3/rooms/{room}/send/m.room.message/w{worker}t{index}"
            try:
                connection.call("PUT", path, {"msgtype": "m.text", "body": protocol.body(index)})
            except SystemExit:
                failures.append(index)
                return

    started = protocol.now_ms()
    workers = [threading.Thread(target=sender, args=(w,)) for w in range(args.inflight)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failures:
        protocol.fail(f"{len(failures)} sends failed")
    protocol.result({"started_ms": started, "finished_ms": protocol.now_ms()})


def receive(args, token: str) -> None:
    connection = Connection(args.homeserver, token)
    query = urllib.parse.urlencode({"filter": SYNC_FILTER, "timeout": 0})
    since = connection.call("GET", f"/_matrix/client/v3/sync?{query}")["next_batch"]
    receiving = protocol.Receiving(args.count)
    receiving.ready()

    while not receiving.done():
        query = urllib.parse.urlencode({"filter": SYNC_FILTER, "timeout": 30000, "since": since})
        reply = connection.call("GET", f"/_matrix/client/v3/sync?{query}")
        since = reply["next_batch"]
        room = reply.get("rooms", {}).get("join", {}).get(args.room, {})
        for event in room.get("timeline", {}).get("events", []):
            if event.get("type") == "m.room.message":
                receiving.saw(event.get("content", {}).get("body"))
    receiving.report()


def main() -> None:
    args = protocol.arguments(__doc__.split("\n\n")[0])

    token = login(args.homeserver, args.user)
    if args.role == "sender":
        send(args, token)
    else:
        receive(args, token)


if __name__ == "__main__":
    main()
