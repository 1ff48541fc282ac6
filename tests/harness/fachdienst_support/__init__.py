"""Serves `/.well-known/matrix/support` (MSC1929) on a test Fachdienst's Synapse.

gematik's certification suite expects a Fachdienst to answer GET there with 200 and DELETE with
405; stock Synapse does not serve it. Synapse cannot hang a module's resource below its own `/.well-known` (its resource
tree does not know that resource's children), so this module registers a whole `/.well-known`:
Synapse's own (through its private `_hs`, acceptable in test infrastructure) with the support
document added. Test infrastructure only, like the rest of the harness; it shares no code with
the AGPL-licensed checker or its adapter.
"""

import json

from synapse.rest.well_known import well_known_resource
from twisted.web.resource import Resource


class SupportDocument(Resource):
    isLeaf = True

    def __init__(self, document: dict):
        super().__init__()
        self.body = json.dumps(document).encode()

    def render_GET(self, request):
        request.setHeader(b"Content-Type", b"application/json")
        request.setHeader(b"Access-Control-Allow-Origin", b"*")
        return self.body

    def render_DELETE(self, request):
        # Twisted answers methods it does not know with 501; the suite wants 405.
        request.setResponseCode(405)
        request.setHeader(b"Allow", b"GET, HEAD")
        request.setHeader(b"Content-Type", b"application/json")
        return json.dumps({"errcode": "M_UNRECOGNIZED", "error": "Method not allowed"}).encode()


class FachdienstSupport:
    """Synapse module: `{"module": "fachdienst_support.FachdienstSupport", "config":
    {"contacts": [...], "support_page": "..."}}`."""

    def __init__(self, config: dict, api):
        well_known = well_known_resource(api._hs)
        well_known.children[b"matrix"].putChild(b"support", SupportDocument(config))
        api.register_web_resource("/.well-known", well_known)

    @staticmethod
    def parse_config(config: dict) -> dict:
        return {"contacts": list(config.get("contacts", [])),
                "support_page": str(config.get("support_page", ""))}
