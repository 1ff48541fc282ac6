# SPDX-License-Identifier: AGPL-3.0-only
#
# Adapts synapse-invite-checker (Copyright (C) 2020-2025 Famedly, AGPL-3.0-only; PyPI
# "synapse-invite-checker") to stock Synapse. TEST HARNESS ONLY: this package, like the checker
# it wraps, must never go into an artifact we ship (jar, native library, container, release
# archive). Our library only speaks HTTP to a server that runs it.
"""Synapse module `fachdienst_adapter.FachdienstAdapter`: famedly's invite checker on stock
Synapse, for the loopback Fachdienst of tests/harness (loaded by Synapse from PYTHONPATH).

`python -m fachdienst_adapter.selfcheck` tells whether the adapter is still needed and right.
"""

from synapse.module_api import ModuleApi
from synapse.types import create_requester
from synapse_invite_checker import InviteChecker

CHECKER_VERSION = "0.6.1"  # the release this adapter was written against; selfcheck enforces it
DROPPED_CALLBACK = "on_upgrade_room"


# Why this exists: the checker registers an `on_upgrade_room` third-party-rules callback that
# only famedly's Synapse fork knows; stock Synapse's register_third_party_rules_callbacks()
# raises TypeError on it and start-up stops. So the checker gets a module API that takes that
# callback aside, and the adapter applies it from `check_event_allowed` instead, on the new
# room's `m.room.create` with a `predecessor` (which is what a room upgrade creates).
class ModuleApiWithoutUpgradeHook:
    """The real ModuleApi, except that `on_upgrade_room` is kept here instead of registered."""

    def __init__(self, api: ModuleApi):
        # Names the checker never uses on its api (it reaches into _hs, _store, _clock, ...).
        self._adapter_real_api = api
        self.adapter_upgrade_callback = None

    def __getattr__(self, attribute):
        return getattr(self._adapter_real_api, attribute)

    def register_third_party_rules_callbacks(self, **callbacks):
        if DROPPED_CALLBACK in callbacks:
            self.adapter_upgrade_callback = callbacks.pop(DROPPED_CALLBACK)
        if callbacks:
            self._adapter_real_api.register_third_party_rules_callbacks(**callbacks)


class FachdienstAdapter:
    """The module Synapse loads: the invite checker, plus its room-upgrade rule re-homed."""

    def __init__(self, config, api: ModuleApi):
        self._api = api
        self._checker_api = ModuleApiWithoutUpgradeHook(api)
        self.checker = InviteChecker(config, self._checker_api)
        api.register_third_party_rules_callbacks(check_event_allowed=self.check_upgrade)

    @staticmethod
    def parse_config(config: dict):
        return InviteChecker.parse_config(config)

    async def check_upgrade(self, event, state_events) -> tuple:
        """Run the checker's own on_upgrade_room on an upgrade's new m.room.create: it raises
        SynapseError 400 M_FORBIDDEN for a version outside allowed_room_versions (admins pass),
        and Synapse hands that error to the client."""
        is_upgrade = event.type == "m.room.create" and "predecessor" in event.content
        upgrade = self._checker_api.adapter_upgrade_callback
        if not is_upgrade or upgrade is None or not self._api.is_mine(event.sender):
            return True, None
        is_admin = await self._api.is_user_admin(event.sender)
        await upgrade(create_requester(event.sender), event.room_version, is_admin)
        return True, None
