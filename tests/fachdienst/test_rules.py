#!/usr/bin/env python3
"""Checks that the loopback Fachdienst set enforces the TI-M rules our client relies on.

Drives the servers started by `synapse_harness.py start-fachdienst --workdir DIR` with raw
Client-Server API calls (login, createRoom, invite, join, account data, /tim-information):

    python3 tests/fachdienst/test_rules.py --workdir DIR

Each check prints PASS or FAIL with its name; the last line is `N passed, M failed`, and any
failure makes the exit code 1 (2: no running set in DIR). Users get fresh names on every run, so
the script can run again against the same servers. Standard library only; registration goes
through the harness's shared-secret helper.
"""

import argparse
import json
import secrets
import sys
import time
import traceback
import urllib.parse
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the work tree (not git-ignored)
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "harness"))
import fachdienst_harness  # noqa: E402  (path set up just above)
import synapse_harness  # noqa: E402

PERMISSION_TYPE = "de.gematik.tim.account.permissionconfig.pro.v1"
POLL_S = 10.0  # what gematik's suite allows for an invite or a join to show up
PASSWORD = "fachdienst-test-pw"
EXIT_NO_SET = 2



class CheckFailed(Exception):
    """A check's expectation did not hold; the message says what was seen."""


def call(method: str, url: str, token: str = None, body: dict = None) -> tuple:
    """(status, decoded JSON body); HTTP errors are returned, not raised."""
    return synapse_harness.http_json(method, url, body, token)


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def expect_status(reply: tuple, status: int, errcode: str = None, what: str = "") -> dict:
    got_status, body = reply
    ok = got_status == status and (errcode is None or body.get("errcode") == errcode)
    wanted = f"{status} {errcode}" if errcode else str(status)
    expect(ok, f"{what}: expected {wanted}, got {got_status} {json.dumps(body)[:300]}")
    return body


def quoted(value: str) -> str:
    return urllib.parse.quote(value, safe="")


class User:
    """A registered, logged-in user of one server of the set."""

    def __init__(self, server: dict, workdir: Path, key: str, localpart: str):
        synapse_harness.register_user(fachdienst_harness.server_workdir(workdir, key),
                                      localpart, PASSWORD)
        self.base_url = server["base_url"]
        self.user_id = f"@{localpart}:{server['server_name']}"
        # A real password login: the checker seeds the permission config at login.
        body = expect_status(self.call("POST", "/_matrix/client/v3/login", body={
            "type": "m.login.password", "password": PASSWORD,
            "identifier": {"type": "m.id.user", "user": localpart}}, auth=False), 200,
            what=f"login of {self.user_id}")
        self.token = body["access_token"]

    def call(self, method: str, path: str, body: dict = None, auth: bool = True) -> tuple:
        return call(method, self.base_url + path, self.token if auth else None, body)

    def create_room(self, **fields) -> tuple:
        return self.call("POST", "/_matrix/client/v3/createRoom", {"preset": "private_chat",
                                                                    **fields})

    def new_room(self, **fields) -> str:
        return expect_status(self.create_room(**fields), 200, what="createRoom")["room_id"]

    def invite(self, room_id: str, user_id: str) -> tuple:
        return self.call("POST", f"/_matrix/client/v3/rooms/{quoted(room_id)}/invite",
                         {"user_id": user_id})

    def permissions_path(self) -> str:
        return (f"/_matrix/client/v3/user/{quoted(self.user_id)}/account_data/"
                f"{PERMISSION_TYPE}")

    def set_permissions(self, config: dict) -> None:
        expect_status(self.call("PUT", self.permissions_path(), config), 200,
                      what="PUT permission config")
        stored = expect_status(self.call("GET", self.permissions_path()), 200,
                               what="GET permission config")
        expect(stored.get("defaultSetting") == config["defaultSetting"],
               f"permission config read back as {stored}")


class Context:
    """The running set and its users, created on first use under fresh names."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.info = fachdienst_harness.load_fachdienst_info(workdir)
        self.run = secrets.token_hex(3)
        self.users = {}

    def server(self, key: str) -> dict:
        return self.info["servers"][key]

    def user(self, key: str, role: str) -> User:
        if (key, role) not in self.users:
            localpart = f"{role}-{self.run}"
            self.users[key, role] = User(self.server(key), self.workdir, key, localpart)
        return self.users[key, role]

    def insurer(self) -> str:
        """The server name the federation list flags isInsurance, or None."""
        key = self.info.get("insurance")
        return self.server(key)["server_name"] if key in self.info["servers"] else None


def poll(attempt, what: str):
    """Call attempt() once a second until it returns a true value, for at most POLL_S."""
    deadline = time.monotonic() + POLL_S
    while True:
        result = attempt()
        if result or time.monotonic() > deadline:
            expect(bool(result), f"{what} did not happen within {POLL_S:.0f} s")
            return result
        time.sleep(1)


# ---------------------------------------------------------------------------------------------
# Checks: each raises CheckFailed (or anything else) to fail.


def check_blocked_invite_is_403(ctx: Context) -> None:
    inviter, invitee = ctx.user("fd1", "alice"), ctx.user("fd1", "blocker")
    invitee.set_permissions({"defaultSetting": "block all", "userExceptions": {},
                             "serverExceptions": {}, "groupExceptions": []})
    room_id = inviter.new_room()
    expect_status(inviter.invite(room_id, invitee.user_id), 403, "M_FORBIDDEN",
                  "invite to a user whose config is 'block all'")


def check_create_room_with_blocked_invitee_is_403(ctx: Context) -> None:
    inviter, invitee = ctx.user("fd1", "alice"), ctx.user("fd1", "blocker")
    invitee.set_permissions({"defaultSetting": "block all"})
    expect_status(inviter.create_room(invite=[invitee.user_id]), 403, "M_FORBIDDEN",
                  "createRoom inviting a blocking user")


def check_create_room_with_two_invitees_is_400(ctx: Context) -> None:
    inviter = ctx.user("fd1", "alice")
    invitees = [ctx.user("fd1", "carol").user_id, ctx.user("fd1", "dave").user_id]
    expect_status(inviter.create_room(invite=invitees), 400, what="createRoom with 2 invitees")


def check_room_version_11_is_refused(ctx: Context) -> None:
    expect_status(ctx.user("fd1", "alice").create_room(room_version="11"), 400, "M_FORBIDDEN",
                  "createRoom with room_version 11")


def check_upgrade_to_room_version_11_is_refused(ctx: Context) -> None:
    # The adapter's re-homed on_upgrade_room rule; the old room must stay as it was.
    alice = ctx.user("fd1", "alice")
    room_id = alice.new_room()
    expect_status(alice.call("POST", f"/_matrix/client/v3/rooms/{quoted(room_id)}/upgrade",
                             {"new_version": "11"}), 400, "M_FORBIDDEN", "upgrade to 11")
    tombstone = f"/_matrix/client/v3/rooms/{quoted(room_id)}/state/m.room.tombstone/"
    expect_status(alice.call("GET", tombstone), 404, what="tombstone after a refused upgrade")


def check_upgrade_to_room_version_10_is_allowed(ctx: Context) -> None:
    # Control for the check above: the adapter refuses versions, not upgrades as such.
    alice = ctx.user("fd1", "alice")
    room_id = alice.new_room()
    body = expect_status(alice.call("POST", f"/_matrix/client/v3/rooms/{quoted(room_id)}/upgrade",
                                    {"new_version": "10"}), 200, what="upgrade to 10")
    expect("replacement_room" in body, f"no replacement_room in {body}")


def check_cross_server_invite_and_join(ctx: Context) -> None:
    alice, remote = ctx.user("fd1", "alice"), ctx.user("fd2", "erin")
    room_id = alice.new_room()
    expect_status(alice.invite(room_id, remote.user_id), 200, what="invite fd1 -> fd2")

    def joined_on_fd2():
        return remote.call("POST", f"/_matrix/client/v3/join/{quoted(room_id)}")[0] == 200

    poll(joined_on_fd2, f"{remote.user_id} joining the fd1 room")
    member = (f"/_matrix/client/v3/rooms/{quoted(room_id)}/state/m.room.member/"
              f"{quoted(remote.user_id)}")

    def seen_joined_on_fd1():
        status, body = alice.call("GET", member)
        return status == 200 and body.get("membership") == "join"

    poll(seen_joined_on_fd1, "fd1 seeing the remote join")


def check_unlisted_server_federates(ctx: Context) -> None:
    # Control for the next check: plain and fd1 do reach each other over federation, so a
    # refused invite is the list's doing, not a broken connection.
    plain, alice = ctx.user("plain", "paul"), ctx.user("fd1", "alice")
    expect_status(plain.call("GET", f"/_matrix/client/v3/profile/{quoted(alice.user_id)}"), 200,
                  what="plain looking up an fd1 profile over federation")
    expect_status(alice.call("GET", f"/_matrix/client/v3/profile/{quoted(plain.user_id)}"), 200,
                  what="fd1 looking up a plain profile over federation")


def check_invite_from_unlisted_server_is_refused(ctx: Context) -> None:
    plain, alice = ctx.user("plain", "paul"), ctx.user("fd1", "alice")
    room_id = plain.new_room()
    expect_status(plain.invite(room_id, alice.user_id), 403, what="invite plain -> fd1")


def is_insurance_path(server_name: str) -> str:
    return f"/tim-information/v1/server/isInsurance?serverName={quoted(server_name)}"


def check_is_insurance_with_token(ctx: Context) -> None:
    alice = ctx.user("fd1", "alice")
    for key in ("fd1", "fd2"):
        name = ctx.server(key)["server_name"]
        body = expect_status(alice.call("GET", is_insurance_path(name)), 200,
                             what=f"isInsurance of {name}")
        expect(body.get("isInsurance") is (name == ctx.insurer()),
               f"isInsurance of {name}: {body}, but the list's insurer is {ctx.insurer()}")


def check_is_insurance_without_token_is_401(ctx: Context) -> None:
    alice = ctx.user("fd1", "alice")
    expect_status(alice.call("GET", is_insurance_path(ctx.server("fd2")["server_name"]),
                             auth=False), 401, what="isInsurance without a token")


def check_find_by_ik(ctx: Context) -> None:
    alice = ctx.user("fd1", "alice")
    ik = ctx.info.get("insurance_ik")
    expect(bool(ik), "the set was started with --insurance none: no IK on the list")
    body = expect_status(alice.call("GET", f"/tim-information/v1/server/findByIk?ikNumber={ik}"),
                         200, what=f"findByIk {ik}")
    expect(body.get("serverName") == ctx.insurer(), f"findByIk {ik}: {body}")
    expect_status(alice.call("GET", "/tim-information/v1/server/findByIk?ikNumber=000000000"),
                  404, what="findByIk of an unknown IK")


def check_server_settings_the_suite_expects(ctx: Context) -> None:
    alice = ctx.user("fd1", "alice")
    versions = expect_status(alice.call("GET", "/_matrix/client/versions", auth=False), 200,
                             what="client versions")
    expect("v1.11" in versions.get("versions", []), f"versions: {versions}")
    expect_status(alice.call("GET", "/.well-known/matrix/support", auth=False), 200,
                  what="GET /.well-known/matrix/support")
    expect_status(alice.call("DELETE", "/.well-known/matrix/support", auth=False), 405,
                  what="DELETE /.well-known/matrix/support")
    expect_status(alice.call("GET", f"/_matrix/client/v3/profile/{alice.user_id}", auth=False),
                  401, what="a profile without a token")


CHECKS = [
    check_blocked_invite_is_403,
    check_create_room_with_blocked_invitee_is_403,
    check_create_room_with_two_invitees_is_400,
    check_room_version_11_is_refused,
    check_upgrade_to_room_version_11_is_refused,
    check_upgrade_to_room_version_10_is_allowed,
    check_cross_server_invite_and_join,
    check_unlisted_server_federates,
    check_invite_from_unlisted_server_is_refused,
    check_is_insurance_with_token,
    check_is_insurance_without_token_is_401,
    check_find_by_ik,
    check_server_settings_the_suite_expects,
]


def run_check(check, ctx: Context) -> bool:
    name = check.__name__.removeprefix("check_")
    started = time.monotonic()
    try:
        check(ctx)
    except CheckFailed as failure:
        print(f"FAIL {name}: {failure}", flush=True)
        return False
    except Exception:  # a crash in one check must not hide the others' results
        detail = traceback.format_exc().strip().splitlines()[-1]
        print(f"FAIL {name}: {detail}", flush=True)
        return False
    print(f"PASS {name} ({time.monotonic() - started:.1f} s)", flush=True)
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", required=True, help="the start-fachdienst work directory")
    args = parser.parse_args(argv)
    try:
        ctx = Context(Path(args.workdir).resolve())
    except synapse_harness.HarnessError as error:
        print(f"test_rules: {error}", file=sys.stderr)
        return EXIT_NO_SET

    results = [run_check(check, ctx) for check in CHECKS]
    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
