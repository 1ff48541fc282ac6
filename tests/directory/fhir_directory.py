#!/usr/bin/env python3
"""A stand-in of gematik's VZD-FHIR-Directory for tests, on loopback: test infrastructure only.

It serves what a TI-M client uses of the directory, in the shape of gematik's documentation:

- ``GET /tim-authenticate?mxId=<server name>`` with the header ``X-Matrix-OpenID-Token``: the
  OpenID token is checked with the homeserver that issued it, over its federation API
  (``https://<server name>:8448/_matrix/federation/v1/openid/userinfo``, verified with the test
  set's CA), as the real directory does; the answer is ``{"jwt": <search token>}``, valid for
  an hour.
- ``GET /search/PractitionerRole`` and ``GET /search/HealthcareService`` with ``Authorization:
  Bearer <search token>``: a FHIR ``searchset`` Bundle of the matching resources
  (``search.mode`` ``match``) and everything they reference (``include``): Practitioner,
  Organization, Location, Endpoint. Supported parameters: ``practitioner.name`` / ``name``
  (case-insensitive substring), ``organization.name``, ``location.address-city``,
  ``location.address-postalcode``, ``endpoint.address``; ``practitioner.active``,
  ``organization.active`` and ``endpoint.status`` are accepted and applied as the directory
  does; ``_count`` limits the matches.

The data are a handful of made-up entries (``DIRECTORY`` below), including an inactive endpoint
and an inactive practitioner, so that a client's filtering can be seen. Standard library only.

    python3 fhir_directory.py --ca <tls-ca.pem> [--port N]   # prints "FHIR_DIRECTORY_URL=..."
"""

import argparse
import base64
import hashlib
import hmac
import json
import secrets
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FEDERATION_PORT = 8448
TOKEN_LIFETIME_SECONDS = 3600
TELEMATIK_ID = "https://gematik.de/fhir/sid/telematik-id"


def endpoint(resource_id, mxid, status="active"):
    localpart_and_domain = mxid[1:]
    return {
        "resourceType": "Endpoint", "id": resource_id, "status": status,
        "connectionType": {"system": "https://gematik.de/fhir/directory/CodeSystem/"
                                     "EndpointDirectoryConnectionType", "code": "tim"},
        "name": mxid, "address": f"matrix:u/{localpart_and_domain}",
        "payloadType": [{"coding": [{"code": "tim-chat"}]}],
    }


def location(resource_id, line, postal_code, city):
    return {"resourceType": "Location", "id": resource_id,
            "address": {"line": [line], "postalCode": postal_code, "city": city,
                        "country": "DE"}}


def organization(resource_id, name, telematik_id, active=True):
    return {"resourceType": "Organization", "id": resource_id, "active": active, "name": name,
            "identifier": [{"system": TELEMATIK_ID, "value": telematik_id}]}


def practitioner(resource_id, given, family, telematik_id, active=True):
    return {"resourceType": "Practitioner", "id": resource_id, "active": active,
            "name": [{"text": f"{given} {family}", "given": [given], "family": family}],
            "identifier": [{"system": TELEMATIK_ID, "value": telematik_id}]}


def reference(resource):
    return {"reference": f"{resource['resourceType']}/{resource['id']}"}


def build_directory():
    """The stand-in's entries: two practitioners, one inactive, and two healthcare services."""
    klinik = organization("org-klinik", "Klinikum Musterstadt", "5-2-123456789")
    praxis = organization("org-praxis", "Praxis Dr. Weber", "1-2-987654321")
    kasse = organization("org-kasse", "Musterkasse", "8-01-0000000999")
    loc_klinik = location("loc-klinik", "Hauptstraße 1", "10115", "Berlin")
    loc_praxis = location("loc-praxis", "Marktplatz 7", "80331", "München")
    loc_kasse = location("loc-kasse", "Kassenweg 3", "10117", "Berlin")
    weber = practitioner("pr-weber", "Anna", "Weber", "1-1-111111")
    alt = practitioner("pr-alt", "Bernd", "Altmann", "1-1-222222", active=False)
    ep_weber = endpoint("ep-weber", "@dr.weber:127.0.0.1")
    ep_weber_old = endpoint("ep-weber-old", "@a.weber.alt:127.0.0.1", status="off")
    ep_alt = endpoint("ep-alt", "@altmann:127.0.0.1")
    ep_station = endpoint("ep-station", "@station3:127.0.0.1")
    ep_kasse = endpoint("ep-kasse", "@service:127.0.0.2")
    roles = [
        {"resourceType": "PractitionerRole", "id": "role-weber", "active": True,
         "practitioner": reference(weber), "organization": reference(praxis),
         "location": [reference(loc_praxis)],
         "endpoint": [reference(ep_weber), reference(ep_weber_old)]},
        {"resourceType": "PractitionerRole", "id": "role-alt", "active": True,
         "practitioner": reference(alt), "organization": reference(praxis),
         "location": [reference(loc_praxis)], "endpoint": [reference(ep_alt)]},
    ]
    services = [
        {"resourceType": "HealthcareService", "id": "hs-kardiologie", "active": True,
         "name": "Kardiologie Station 3", "providedBy": reference(klinik),
         "location": [reference(loc_klinik)], "endpoint": [reference(ep_station)]},
        {"resourceType": "HealthcareService", "id": "hs-kasse", "active": True,
         "name": "Versichertenservice", "providedBy": reference(kasse),
         "location": [reference(loc_kasse)], "endpoint": [reference(ep_kasse)]},
    ]
    everything = [klinik, praxis, kasse, loc_klinik, loc_praxis, loc_kasse, weber, alt,
                  ep_weber, ep_weber_old, ep_alt, ep_station, ep_kasse]
    by_reference = {f"{r['resourceType']}/{r['id']}": r for r in everything + roles + services}
    return {"PractitionerRole": roles, "HealthcareService": services}, by_reference


DIRECTORY, RESOURCES = build_directory()


def resolve(ref):
    return RESOURCES.get(ref["reference"]) if ref else None


def referenced(resource):
    """Every resource `resource` points at, one level deep."""
    refs = []
    for field in ("practitioner", "organization", "providedBy"):
        if field in resource:
            refs.append(resource[field])
    for field in ("location", "endpoint"):
        refs.extend(resource.get(field, []))
    return [r for r in (resolve(ref) for ref in refs) if r is not None]


def contains(text, wanted):
    return wanted.casefold() in (text or "").casefold()


def matches(resource, params):
    """Whether `resource` satisfies the query parameters, as the directory would apply them."""
    owner = resolve(resource.get("practitioner")) or resolve(resource.get("providedBy"))
    organization_ = resolve(resource.get("organization")) or resolve(resource.get("providedBy"))
    locations = [resolve(r) for r in resource.get("location", [])]
    endpoints = [resolve(r) for r in resource.get("endpoint", [])]
    wanted_status = params.get("endpoint.status")
    if wanted_status:
        endpoints = [e for e in endpoints if e["status"] == wanted_status]
        if not endpoints:
            return False
    for key, value in params.items():
        if key == "practitioner.name":
            names = [n.get("text", "") for n in (owner or {}).get("name", [])]
            if resource["resourceType"] != "PractitionerRole" or not any(
                    contains(n, value) for n in names):
                return False
        elif key == "name":
            if not contains(resource.get("name"), value):
                return False
        elif key == "organization.name":
            if not contains((organization_ or {}).get("name"), value):
                return False
        elif key == "location.address-city":
            if not any(contains(l["address"]["city"], value) for l in locations):
                return False
        elif key == "location.address-postalcode":
            if not any(l["address"]["postalCode"] == value for l in locations):
                return False
        elif key == "endpoint.address":
            if not any(e["address"] == value for e in endpoints):
                return False
        elif key in ("practitioner.active", "organization.active"):
            if value == "true" and owner is not None and not owner.get("active", True):
                return False
    return True


def search(kind, params, base_url):
    count = int(params.pop("_count", "50"))
    params.pop("_include", None)
    found = [r for r in DIRECTORY[kind] if matches(r, params)][:count]
    entries, included = [], {}
    for resource in found:
        entries.append({"fullUrl": f"{base_url}/search/{kind}/{resource['id']}",
                        "resource": resource, "search": {"mode": "match"}})
        for other in referenced(resource):
            included[f"{other['resourceType']}/{other['id']}"] = other
    for key, other in included.items():
        entries.append({"fullUrl": f"{base_url}/search/{key}", "resource": other,
                        "search": {"mode": "include"}})
    return {"resourceType": "Bundle", "type": "searchset", "total": len(found),
            "entry": entries}


class Directory:
    def __init__(self, ca_file):
        self.tls = ssl.create_default_context(cafile=ca_file)
        self.key = secrets.token_bytes(32)
        self.base_url = ""
        self.requests = {"tim-authenticate": 0, "search": 0}

    def userinfo(self, server_name, openid_token):
        """The Matrix user the OpenID token belongs to, asked of its homeserver; None if not."""
        query = urllib.parse.urlencode({"access_token": openid_token})
        url = (f"https://{server_name}:{FEDERATION_PORT}"
               f"/_matrix/federation/v1/openid/userinfo?{query}")
        try:
            with urllib.request.urlopen(url, context=self.tls, timeout=10) as response:
                return json.load(response).get("sub")
        except (urllib.error.URLError, ValueError, OSError):
            return None

    def issue(self, user):
        def part(value):
            raw = json.dumps(value, separators=(",", ":")).encode()
            return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        head = part({"alg": "HS256", "typ": "JWT"})
        body = part({"sub": user, "iss": self.base_url, "exp": int(time.time())
                     + TOKEN_LIFETIME_SECONDS})
        mac = hmac.new(self.key, f"{head}.{body}".encode(), hashlib.sha256).digest()
        return f"{head}.{body}." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    def valid(self, token):
        try:
            head, body, mac = token.split(".")
            expected = hmac.new(self.key, f"{head}.{body}".encode(), hashlib.sha256).digest()
            given = base64.urlsafe_b64decode(mac + "=" * (-len(mac) % 4))
            claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
            return hmac.compare_digest(expected, given) and claims["exp"] > time.time()
        except (ValueError, KeyError):
            return False


def handler_for(directory):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, status, body):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            params = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/tim-authenticate":
                directory.requests["tim-authenticate"] += 1
                token = self.headers.get("X-Matrix-OpenID-Token", "")
                user = directory.userinfo(params.get("mxId", ""), token) if token else None
                if user is None:
                    return self.answer(401, {"error": "invalid OpenID token"})
                return self.answer(200, {"jwt": directory.issue(user)})
            if url.path == "/requests":
                return self.answer(200, directory.requests)
            kind = url.path.removeprefix("/search/")
            if kind in DIRECTORY:
                directory.requests["search"] += 1
                bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if not directory.valid(bearer):
                    return self.answer(401, {"resourceType": "OperationOutcome"})
                return self.answer(200, search(kind, params, directory.base_url))
            return self.answer(404, {"resourceType": "OperationOutcome"})

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ca", required=True, help="CA file of the homeservers' TLS")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    directory = Directory(args.ca)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(directory))
    directory.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"FHIR_DIRECTORY_URL={directory.base_url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
