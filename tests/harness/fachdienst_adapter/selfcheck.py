# SPDX-License-Identifier: AGPL-3.0-only
#
# Part of the test-harness adapter for synapse-invite-checker (AGPL-3.0-only, Famedly). TEST
# HARNESS ONLY: never part of a shipped artifact.
"""Fail loudly when the adapter becomes unnecessary or wrong.

Runs the checker's own start-up (InviteChecker.__init__, unadapted) against a stand-in module
API whose register_*_callbacks methods accept exactly what the installed Synapse's real ModuleApi
signatures accept (inspect.signature), then does the same through the adapter, then feeds the
adapter's upgrade rule a few create events. Exit 0: the adapter is needed and works; exit 1:
the reason, on stdout. Run inside the Synapse venv with tests/harness on PYTHONPATH:

    python -m fachdienst_adapter.selfcheck
"""

import asyncio
import importlib.metadata
import inspect
import logging
import sys
from types import SimpleNamespace
from unittest import mock

from synapse.api.errors import SynapseError
from synapse.api.room_versions import KNOWN_ROOM_VERSIONS
from synapse.module_api import ModuleApi
from synapse_invite_checker import InviteChecker

import fachdienst_adapter

SERVER_NAME = "127.0.0.1"
REGISTER_METHODS = ("register_third_party_rules_callbacks", "register_spam_checker_callbacks")
CHECKER_CONFIG = {
    "federation_list_url": "http://127.0.0.1:9/list.jws",  # never fetched: nothing runs
    "gematik_ca_baseurl": "http://127.0.0.1:9",
    "tim-type": "pro",
    "room_scan_run_interval": "0",
}
# Parameters the adapter relies on when it calls the checker (positionally, in this order).
UPGRADE_PARAMETERS = ["self", "requester", "room_version", "is_requester_admin"]


class Recorder:
    """Stands in for one register_* method, judging each keyword by the real signature."""

    def __init__(self, method: str):
        self.method = method
        self.parameters = inspect.signature(getattr(ModuleApi, method)).parameters
        self.accepted, self.rejected, self.callbacks = [], [], {}

    def __call__(self, **callbacks):
        for keyword, callback in callbacks.items():
            known = keyword in self.parameters
            (self.accepted if known else self.rejected).append(keyword)
            if known:
                self.callbacks.setdefault(keyword, []).append(callback)


def stand_in_api() -> mock.MagicMock:
    api = mock.MagicMock(name="ModuleApi")
    api.server_name = SERVER_NAME
    api._hs.config.server.server_name = SERVER_NAME
    api.should_run_background_tasks.return_value = False
    api.is_mine.return_value = True
    api.is_user_admin = mock.AsyncMock(return_value=False)
    for method in REGISTER_METHODS:
        setattr(api, method, Recorder(method))
    return api


def rejected_keywords(api) -> set:
    return {(method, keyword) for method in REGISTER_METHODS
            for keyword in getattr(api, method).rejected}


def entry_point_problems() -> list:
    problems = []
    installed = importlib.metadata.version("synapse-invite-checker")
    if installed != fachdienst_adapter.CHECKER_VERSION:
        problems.append(f"installed synapse-invite-checker is {installed}, the adapter was "
                        f"written for {fachdienst_adapter.CHECKER_VERSION}")
    init = list(inspect.signature(InviteChecker.__init__).parameters)
    if init != ["self", "config", "api"]:
        problems.append(f"InviteChecker.__init__ now takes {init}")
    if not callable(getattr(InviteChecker, "parse_config", None)):
        problems.append("InviteChecker.parse_config is gone")
    upgrade = getattr(InviteChecker, fachdienst_adapter.DROPPED_CALLBACK, None)
    if upgrade is None:
        problems.append("InviteChecker.on_upgrade_room is gone")
    elif list(inspect.signature(upgrade).parameters) != UPGRADE_PARAMETERS:
        problems.append(f"InviteChecker.on_upgrade_room now takes "
                        f"{list(inspect.signature(upgrade).parameters)}")
    return problems


def original_path_problems() -> list:
    """The checker as upstream starts it, against the real signatures."""
    api = stand_in_api()
    InviteChecker(InviteChecker.parse_config(dict(CHECKER_CONFIG)), api)
    rejected = rejected_keywords(api)
    expected = {(REGISTER_METHODS[0], fachdienst_adapter.DROPPED_CALLBACK)}
    if not rejected:
        return ["ADAPTER UNNECESSARY: this Synapse's ModuleApi accepts every callback the checker "
                "registers, on_upgrade_room included. Load synapse_invite_checker.InviteChecker "
                "directly and delete tests/harness/fachdienst_adapter."]
    if rejected != expected:
        return [f"ADAPTER WRONG: the real ModuleApi now rejects {sorted(rejected)}; the adapter "
                f"only takes {sorted(expected)} aside"]
    return []


def adapter_path_problems():
    """The adapter's start-up: nothing rejected, the upgrade rule taken aside and re-homed."""
    api = stand_in_api()
    adapter = fachdienst_adapter.FachdienstAdapter(
        fachdienst_adapter.FachdienstAdapter.parse_config(dict(CHECKER_CONFIG)), api)
    problems = []
    if rejected_keywords(api):
        problems.append(f"through the adapter the ModuleApi still rejects "
                        f"{sorted(rejected_keywords(api))}")
    if adapter._checker_api.adapter_upgrade_callback is None:
        problems.append("the checker no longer registers on_upgrade_room")
    allowed = getattr(api, REGISTER_METHODS[0]).callbacks.get("check_event_allowed", [])
    if adapter.check_upgrade not in allowed:
        problems.append("the adapter's check_event_allowed callback was not registered")
    return adapter, problems


def create_event(version: str, upgrade: bool) -> SimpleNamespace:
    content = {"room_version": version}
    if upgrade:
        content["predecessor"] = {"room_id": "!old:127.0.0.1"}
    return SimpleNamespace(type="m.room.create", content=content, sender="@a:127.0.0.1",
                           room_version=KNOWN_ROOM_VERSIONS[version])


async def upgrade_outcome(adapter, version: str, upgrade: bool) -> str:
    try:
        allowed, _ = await adapter.check_upgrade(create_event(version, upgrade), {})
    except SynapseError as error:
        return f"{error.code} {getattr(error.errcode, 'value', error.errcode)}"
    return "allowed" if allowed else "refused"


def upgrade_rule_problems(adapter) -> list:
    cases = [("11", True, "400 M_FORBIDDEN"), ("12", True, "400 M_FORBIDDEN"),
             ("10", True, "allowed"), ("9", True, "allowed"), ("11", False, "allowed")]
    problems = []
    for version, upgrade, expected in cases:
        outcome = asyncio.run(upgrade_outcome(adapter, version, upgrade))
        if outcome != expected:
            kind = "upgrade to" if upgrade else "new room of"
            problems.append(f"{kind} version {version}: {outcome}, expected {expected}")
    return problems


def main() -> int:
    # The checker logs "PARSE CONFIG" at ERROR on every parse; keep it off our report.
    logging.getLogger().addHandler(logging.NullHandler())
    problems = entry_point_problems()
    if not problems:
        problems += original_path_problems()
    if not problems:
        adapter, more = adapter_path_problems()
        problems += more or upgrade_rule_problems(adapter)
    for problem in problems:
        print(f"FAIL: {problem}")
    if problems:
        return 1
    print(f"ok: stock ModuleApi rejects only {fachdienst_adapter.DROPPED_CALLBACK} of "
          f"synapse-invite-checker {fachdienst_adapter.CHECKER_VERSION}; the adapter is needed, "
          f"starts the checker and refuses upgrades outside allowed_room_versions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
