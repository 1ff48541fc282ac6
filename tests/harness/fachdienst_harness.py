"""A loopback TI-M Fachdienst set for tim-headless integration tests.

Two Synapse homeservers run famedly's synapse-invite-checker (through fachdienst_adapter, which
makes it start on stock Synapse) and federate over TLS on loopback; a third, plain Synapse
federates too but is missing from the federation list. A small static HTTP server publishes a
stand-in of gematik's CA files and the signed federation list for the whole run. Test
infrastructure only: none of it (least of all the AGPL-licensed checker and adapter) ships.

    server  server_name  client API                federation
    fd1     127.0.0.1    http://127.0.0.1:<free>   https://127.0.0.1:8448  Fachdienst
    fd2     127.0.0.2    http://127.0.0.2:<free>   https://127.0.0.2:8448  Fachdienst
    plain   127.0.0.3    http://127.0.0.3:<free>   https://127.0.0.3:8448  not on the list

Server names carry no port: gematik's test suite splits Matrix IDs at the first colon. The CLI
lives in synapse_harness.py (start-fachdienst, stop-fachdienst, env-fachdienst, check-adapter,
register --server); Python tests can call start_fachdienst(), stop_fachdienst(),
server_workdir() and check_adapter() directly. Standard library only, like synapse_harness.
"""

import contextlib
import json
import os
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import synapse_harness as base
from synapse_harness import HarnessError

INVITE_CHECKER_VERSION = "0.6.1"
JWCRYPTO_VERSION = "1.6.1"

HARNESS_DIR = Path(__file__).resolve().parent
PKI_SCRIPT = HARNESS_DIR / "fachdienst_pki.py"
ADAPTER_MODULE = "fachdienst_adapter.FachdienstAdapter"
SUPPORT_MODULE = "fachdienst_support.FachdienstSupport"

# key -> (server_name = bind address, runs the invite checker)
SERVERS = {
    "fd1": ("127.0.0.1", True),
    "fd2": ("127.0.0.2", True),
    "plain": ("127.0.0.3", False),
}
FEDERATION_PORT = 8448  # the default: an IP-literal server name without a port means this one
LIST_ADDRESS = "127.0.0.1"
LIST_FILE = "FederationList/federationList.jws"
INSURANCE_IK = "999000002"  # made up; findByIk answers with the insurer's server name for it

STARTUP_TIMEOUT_S = 60.0
START_ATTEMPTS = 5

# Synapse 1.163.2's DEFAULT_IP_RANGE_BLOCKLIST without 127.0.0.0/8. Synapse refuses federation
# to a blocked IP-literal name even when ip_range_whitelist allows it, so it has to go here.
LOOPBACK_FEDERATION_BLOCKLIST = [
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "192.0.0.0/24",
    "169.254.0.0/16", "192.88.99.0/24", "198.18.0.0/15", "192.0.2.0/24", "198.51.100.0/24",
    "203.0.113.0/24", "224.0.0.0/4", "::1/128", "fe80::/10", "fc00::/7", "2001:db8::/32",
    "ff00::/8", "fec0::/10",
]

# What gematik's suite expects of a Fachdienst's Synapse (FACHDIENST-NOTES.md).
FACHDIENST_SYNAPSE_SETTINGS = {
    "enable_authenticated_media": False,
    "require_auth_for_profile_requests": True,
    "url_preview_enabled": False,
    "experimental_features": {"msc3814_enabled": True},
    "default_room_version": "10",  # 1.163 defaults to 12, which the checker refuses
}
CHECKER_DEFAULTS = {
    "tim-type": "pro",
    # Without it the permission data seeded at login is {}.
    "default_permissions": {"defaultSetting": "allow all"},
    "room_scan_run_interval": "0",  # no room purges during a test run
    "block_invites_into_dms": False,  # one suite scenario invites a third user into a DM
}

_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def note(message: str) -> None:
    print(f"fachdienst_harness: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Virtualenv and adapter


def venv_has_pinned_extras(python: Path) -> bool:
    probe = ("import importlib.metadata as m; "
             "print(m.version('synapse-invite-checker'), m.version('jwcrypto'))")
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True,
                            check=False)
    return result.returncode == 0 and result.stdout.split() == [INVITE_CHECKER_VERSION,
                                                                JWCRYPTO_VERSION]


def install_extras(python: Path) -> None:
    note(f"installing synapse-invite-checker=={INVITE_CHECKER_VERSION}, "
         f"jwcrypto=={JWCRYPTO_VERSION}")
    # Naming the Synapse pin again keeps pip from moving it; the checker declares no Synapse
    # dependency, and its other dependencies only add packages (checked with --dry-run).
    command = [str(python), "-m", "pip", "install", "--quiet",
               f"matrix-synapse=={base.SYNAPSE_VERSION}",
               f"synapse-invite-checker=={INVITE_CHECKER_VERSION}",
               f"jwcrypto=={JWCRYPTO_VERSION}"]
    result = subprocess.run(command, stdout=sys.stderr, check=False)
    if result.returncode != 0:
        raise HarnessError(f"pip install failed with exit code {result.returncode}")


def ensure_fachdienst_venv() -> Path:
    """The plain harness's venv, with the invite checker and jwcrypto added when missing."""
    python = base.ensure_venv()
    with base.exclusive_lock(base.cache_dir() / f"venv-synapse-{base.SYNAPSE_VERSION}.lock"):
        if not venv_has_pinned_extras(python):
            install_extras(python)
            if not venv_has_pinned_extras(python):
                raise HarnessError("synapse-invite-checker or jwcrypto still not at their pins")
    return python


def venv_environment() -> dict:
    """The environment for venv processes: the adapter package importable, no stray proxy."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HARNESS_DIR),
                                                      env.get("PYTHONPATH")]))
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(proxy, None)  # the checker fetches the list through a proxy-aware client
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ in the work tree (not git-ignored)
    return env


def check_adapter(python: Path = None) -> str:
    """Run fachdienst_adapter.selfcheck; its report, or HarnessError when the adapter has
    become unnecessary or wrong."""
    python = python or ensure_fachdienst_venv()
    command = [str(python), "-m", "fachdienst_adapter.selfcheck"]
    result = subprocess.run(command, capture_output=True, text=True, env=venv_environment(),
                            check=False)
    report = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise HarnessError(f"adapter check failed:\n{report}")
    return report


# ---------------------------------------------------------------------------------------------
# Layout


def info_path(workdir: Path) -> Path:
    return workdir / "fachdienst.json"


def server_dir(workdir: Path, key: str) -> Path:
    return workdir / key


def www_dir(workdir: Path) -> Path:
    return workdir / "www"


def pki_dir(workdir: Path) -> Path:
    return workdir / "pki"


def tls_ca_path(workdir: Path) -> Path:
    return pki_dir(workdir) / "tls-ca.pem"


def load_fachdienst_info(workdir) -> dict:
    path = info_path(Path(workdir).resolve())
    if not path.exists():
        raise HarnessError(f"no fachdienst.json in {path.parent}: run 'start-fachdienst' first")
    return json.loads(path.read_text())


def server_workdir(workdir, key: str) -> Path:
    """The directory of one server of a running set; synapse_harness's register, env and
    stop work on it like on a plain workdir."""
    if key not in SERVERS:
        raise HarnessError(f"unknown server {key!r}; one of {', '.join(SERVERS)}")
    load_fachdienst_info(workdir)
    return server_dir(Path(workdir).resolve(), key)


# ---------------------------------------------------------------------------------------------
# PKI, federation list and list server


def federation_domains(insurance: str) -> list:
    """The list's domainList: both Fachdienste by their exact server-name strings."""
    domains = []
    for key, (server_name, is_fachdienst) in SERVERS.items():
        if not is_fachdienst:
            continue
        entry = {"domain": server_name, "telematikID": f"9-TEST-ONLY-{key}",
                 "timAnbieter": "TEST-ONLY tim-headless", "isInsurance": key == insurance}
        if key == insurance:
            entry["ik"] = [INSURANCE_IK]
        domains.append(entry)
    return domains


def tls_files(workdir: Path, key: str) -> tuple:
    return server_dir(workdir, key) / "tls.crt", server_dir(workdir, key) / "tls.key"


def signing_key_path(workdir: Path, key: str) -> Path:
    return server_dir(workdir, key) / f"{SERVERS[key][0]}.signing.key"


def generate_key_material(python: Path, workdir: Path, insurance: str) -> None:
    """Fresh CA files, list and TLS certificates each start; signing keys only when missing."""
    servers = []
    for key, (address, _) in SERVERS.items():
        server_dir(workdir, key).mkdir(parents=True, exist_ok=True)
        cert, private_key = tls_files(workdir, key)
        servers.append({"address": address, "cert": str(cert), "key": str(private_key)})
    pki_dir(workdir).mkdir(parents=True, exist_ok=True)
    spec = {
        "www_dir": str(www_dir(workdir)),
        "list_file": LIST_FILE,
        "list_version": 1,
        "domains": federation_domains(insurance),
        "tls_ca_cert": str(tls_ca_path(workdir)),
        "tls_servers": servers,
        "signing_keys": [str(signing_key_path(workdir, key)) for key in SERVERS],
    }
    spec_path = pki_dir(workdir) / "spec.json"
    base.write_json(spec_path, spec)
    result = subprocess.run([str(python), str(PKI_SCRIPT), str(spec_path)], capture_output=True,
                            text=True, env=venv_environment(), check=False)
    if result.returncode != 0:
        raise HarnessError(f"key material generation failed:\n{result.stdout}{result.stderr}")


def spawn_list_server(workdir: Path, port: int) -> subprocess.Popen:
    # The checker re-fetches the list on every lookup miss, and a failed re-fetch turns every
    # invite into 500 M_UNKNOWN: this server has to live as long as the homeservers.
    command = [sys.executable, "-m", "http.server", str(port), "--bind", LIST_ADDRESS,
               "--directory", str(www_dir(workdir))]
    with open(workdir / "list-server.log", "ab") as log:
        return subprocess.Popen(command, cwd=str(workdir), stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def http_status(url: str, context: ssl.SSLContext = None) -> int:
    """The HTTP status of a GET, or 0 when nothing answered."""
    opener = _HTTP
    if context is not None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPSHandler(context=context))
    try:
        with opener.open(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def wait_for(process: subprocess.Popen, is_ready) -> bool:
    """True once is_ready() holds; False if the process died or the time ran out."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if is_ready():
            return True
        time.sleep(0.2)
    return False


def start_list_server(workdir: Path) -> dict:
    log_path = workdir / "list-server.log"
    for _ in range(START_ATTEMPTS):
        port = base.free_tcp_port(LIST_ADDRESS)
        process = spawn_list_server(workdir, port)
        url = f"http://{LIST_ADDRESS}:{port}"

        def ready():
            return (base.owns_listening_socket(process.pid, port, LIST_ADDRESS)
                    and http_status(f"{url}/ECC/ROOT-CA/roots.json") == 200)

        if wait_for(process, ready):
            return {"url": url, "federation_list_url": f"{url}/{LIST_FILE}",
                    "gematik_ca_baseurl": url, "pid": process.pid, "log": str(log_path)}
        base.kill_process(process)
    raise HarnessError(f"the list server did not start; log: {log_path}")


# ---------------------------------------------------------------------------------------------
# Homeserver configuration


def listeners(address: str, client_port: int) -> list:
    return [
        {"port": client_port, "bind_addresses": [address], "type": "http", "tls": False,
         "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}]},
        # The TLS port serves the client API too, so that clients can be tested over TLS with
        # the local CA (a hospital network's extra trusted certificate).
        {"port": FEDERATION_PORT, "bind_addresses": [address], "type": "http", "tls": True,
         "x_forwarded": False,
         "resources": [{"names": ["federation", "client"], "compress": False}]},
    ]


def checker_module(list_info: dict, overrides: dict) -> dict:
    config = {"federation_list_url": list_info["federation_list_url"],
              "gematik_ca_baseurl": list_info["gematik_ca_baseurl"]}
    config.update(CHECKER_DEFAULTS)
    config.update(overrides or {})
    return {"module": ADAPTER_MODULE, "config": config}


def server_config(workdir: Path, key: str, client_port: int, kept_secrets: dict,
                  list_info: dict, module_overrides: dict) -> dict:
    """The plain harness's config (relaxed rate limits, SQLite, ...) moved to this server's
    address, with federation TLS on loopback and, for a Fachdienst, the checker."""
    address, is_fachdienst = SERVERS[key]
    directory = server_dir(workdir, key)
    cert, private_key = tls_files(workdir, key)
    config = base.homeserver_config(directory, client_port, kept_secrets)
    config.update({
        "server_name": address,
        "public_baseurl": f"http://{address}:{client_port}/",
        "listeners": listeners(address, client_port),
        "signing_key_path": str(signing_key_path(workdir, key)),
        "tls_certificate_path": str(cert),
        "tls_private_key_path": str(private_key),
        "federation_custom_ca_list": [str(tls_ca_path(workdir))],
        "ip_range_blacklist": LOOPBACK_FEDERATION_BLOCKLIST,
    })
    # The reliability tests stop a server of the set mid-conversation: with Synapse's defaults
    # (ten minutes, growing) the other would wait far longer than a test for its next attempt.
    config["federation"] = {
        "destination_min_retry_interval": "1s",
        "destination_retry_multiplier": 1,
        "destination_max_retry_interval": "2s",
    }
    if is_fachdienst:
        config.update(FACHDIENST_SYNAPSE_SETTINGS)
        config["modules"] = [checker_module(list_info, module_overrides),
                             support_module(address)]
    return config


def support_module(address: str) -> dict:
    """The `/.well-known/matrix/support` document the suite expects a Fachdienst to serve."""
    return {"module": SUPPORT_MODULE, "config": {
        "contacts": [{"matrix_id": f"@admin:{address}", "email_address": "support@example.org",
                      "role": "m.role.admin"}],
        "support_page": "https://example.org/support",
    }}


# ---------------------------------------------------------------------------------------------
# Starting


def refuse_if_busy(workdir: Path) -> None:
    running = our_processes(workdir)
    if running:
        raise HarnessError(f"processes of {workdir} still run ({', '.join(map(str, running))}): "
                           f"run 'stop-fachdienst' first")
    for address, _ in SERVERS.values():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            # As Synapse does: a TIME_WAIT left by the previous run is no reason to refuse.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((address, FEDERATION_PORT))
            except OSError as error:
                raise HarnessError(f"{address}:{FEDERATION_PORT} is taken ({error}); another "
                                   f"Fachdienst set may run elsewhere") from error


class Launch:
    """One homeserver being started: its config, process and readiness."""

    def __init__(self, workdir: Path, key: str, list_info: dict, module_overrides: dict):
        self.key = key
        self.address, self.is_fachdienst = SERVERS[key]
        self.directory = server_dir(workdir, key)
        self.config_path = self.directory / "homeserver.yaml"
        self.log_path = base.log_path_of(self.directory)
        self.workdir, self.list_info, self.overrides = workdir, list_info, module_overrides
        self.kept_secrets = base.previous_secrets(self.config_path)
        self.tls = ssl.create_default_context(cafile=str(tls_ca_path(workdir)))
        self.process = self.port = None
        self.log_offset = 0

    @property
    def base_url(self) -> str:
        return f"http://{self.address}:{self.port}"

    def spawn(self, python: Path, port: int = None) -> None:
        self.port = port or base.free_tcp_port(self.address)
        config = server_config(self.workdir, self.key, self.port, self.kept_secrets,
                               self.list_info, self.overrides)
        self.kept_secrets = {name: config[name] for name in base.random_secrets()}
        base.write_json(self.directory / "log_config.yaml", base.log_config(self.log_path))
        base.write_json(self.config_path, config)
        self.log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self.process = base.spawn_synapse(python, self.config_path, self.log_path,
                                          env=venv_environment())

    def ready(self) -> bool:
        """Our pid holds both sockets, the client API answers, the federation TLS certificate
        verifies against the local CA, and a Fachdienst serves the checker's /tim-information
        (401 without a token)."""
        pid = self.process.pid
        if not (base.owns_listening_socket(pid, self.port, self.address)
                and base.owns_listening_socket(pid, FEDERATION_PORT, self.address)
                and base.answers_versions(self.base_url)):
            return False
        federation = f"https://{self.address}:{FEDERATION_PORT}/_matrix/federation/v1/version"
        if http_status(federation, self.tls) != 200:
            return False
        return not self.is_fachdienst or http_status(f"{self.base_url}/tim-information") == 401

    def failure(self, died: bool) -> str:
        reason = "exited early" if died else f"did not answer within {STARTUP_TIMEOUT_S:.0f} s"
        return f"{self.key} ({self.address}) {reason}; log: {self.log_path}"

    def info(self) -> dict:
        return {"server_name": self.address, "base_url": self.base_url,
                "federation_url": f"https://{self.address}:{FEDERATION_PORT}",
                "registration_shared_secret": self.kept_secrets["registration_shared_secret"],
                "pid": self.process.pid, "log": str(self.log_path), "name": self.key,
                "fachdienst": self.is_fachdienst}


def wait_for_launch(launch: Launch, python: Path) -> None:
    """Wait for a spawned server; respawn it on a new client port when that one was taken."""
    for attempt in range(1, START_ATTEMPTS + 1):
        if wait_for(launch.process, launch.ready):
            return
        died = launch.process.poll() is not None
        base.kill_process(launch.process)
        new_log = base.log_tail(launch.log_path, launch.log_offset)
        if died and base.is_port_clash(new_log) and attempt < START_ATTEMPTS:
            note(f"{launch.key}: port {launch.port} was taken meanwhile; retrying on another")
            launch.spawn(python)
            continue
        print(new_log, file=sys.stderr)
        raise HarnessError(launch.failure(died))


def kill_all(launches: list, list_server: dict = None) -> None:
    for launch in launches:
        if launch.process is not None and launch.process.poll() is None:
            base.kill_process(launch.process)
    if list_server:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(list_server["pid"], signal.SIGKILL)


def start_fachdienst(workdir, insurance: str = "fd2", module_overrides: dict = None) -> dict:
    """Start the list server, fd1, fd2 and plain in workdir, wait until all answer, and return
    the fachdienst.json content. insurance names the Fachdienst the list flags isInsurance
    (with IK INSURANCE_IK), or "none"; module_overrides changes the checker config of both."""
    started = time.monotonic()
    workdir = Path(workdir).resolve()
    refuse_if_busy(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    python = ensure_fachdienst_venv()
    check_adapter(python)  # a changed verdict (after a pin bump) must not go unseen
    generate_key_material(python, workdir, insurance)

    list_server = start_list_server(workdir)
    launches = [Launch(workdir, key, list_server, module_overrides) for key in SERVERS]
    try:
        # All three at once: their start-ups overlap (about 3.5 s for the set, not 3 x 2.5 s).
        for launch in launches:
            launch.spawn(python)
        for launch in launches:
            wait_for_launch(launch, python)
    except BaseException:
        kill_all(launches, list_server)
        raise

    info = {"list_server": list_server, "tls_ca": str(tls_ca_path(workdir)),
            "insurance": insurance, "module_overrides": module_overrides or {}, "insurance_ik": INSURANCE_IK if insurance != "none" else None,
            "servers": {launch.key: launch.info() for launch in launches}}
    for launch in launches:
        base.write_json(base.server_info_path(launch.directory), launch.info())
    info["startup_s"] = round(time.monotonic() - started, 1)
    base.write_json(info_path(workdir), info)
    return info


# ---------------------------------------------------------------------------------------------
# Stopping


def our_processes(workdir: Path) -> list:
    """Pids of this workdir's Synapses and list server, found by command line (what
    `pgrep -f` does), so nothing survives a lost or stale fachdienst.json."""
    markers = [str(server_dir(workdir, key) / "homeserver.yaml") for key in SERVERS]
    markers.append(str(www_dir(workdir)))
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        cmdline = base.process_cmdline(int(entry.name))
        is_ours = ("synapse.app.homeserver" in cmdline or "http.server" in cmdline) and \
            any(f" {marker} " in f" {cmdline} " for marker in markers)
        if is_ours and not base.is_gone(int(entry.name)):
            pids.append(int(entry.name))
    return sorted(pids)


def terminate(pids: list) -> None:
    """SIGTERM, then SIGKILL for whatever is left after the grace time."""
    for pid in pids:
        base.signal_server(pid, signal.SIGTERM)
    deadline = time.monotonic() + base.STOP_GRACE_S
    while time.monotonic() < deadline and not all(map(base.is_gone, pids)):
        time.sleep(0.1)
    for pid in pids:
        if not base.is_gone(pid):
            note(f"pid {pid} ignored SIGTERM for {base.STOP_GRACE_S:.0f} s; sending SIGKILL")
            base.signal_server(pid, signal.SIGKILL)
            base.wait_until_gone(pid, 5)


def stop_fachdienst(workdir) -> bool:
    """Stop every process of the set in workdir; True if any ran. Safe to call repeatedly."""
    workdir = Path(workdir).resolve()
    pids = our_processes(workdir)
    terminate(pids)
    left = our_processes(workdir)
    if left:
        raise HarnessError(f"still running after SIGKILL: {left}")
    # Stale info files would point register and env at servers that are gone.
    for key in SERVERS:
        base.server_info_path(server_dir(workdir, key)).unlink(missing_ok=True)
    info_path(workdir).unlink(missing_ok=True)
    return bool(pids)


def kill_server(workdir, key: str) -> None:
    """SIGKILL one server of the running set, as a crash would end it; the rest keep running."""
    workdir = Path(workdir).resolve()
    pid = load_fachdienst_info(workdir)["servers"][key]["pid"]
    if base.is_gone(pid):
        raise HarnessError(f"{key} (pid {pid}) is not running")
    base.signal_server(pid, signal.SIGKILL)
    if not base.wait_until_gone(pid, 5):
        raise HarnessError(f"{key} (pid {pid}) survived SIGKILL")


def restart_server(workdir, key: str) -> dict:
    """Start a stopped server of the set again with its database, keys and client port, so that
    its clients and the other servers find it where it was; returns its new info."""
    workdir = Path(workdir).resolve()
    info = load_fachdienst_info(workdir)
    old = info["servers"][key]
    if not base.is_gone(old["pid"]):
        raise HarnessError(f"{key} (pid {old['pid']}) still runs: kill it first")
    python = ensure_fachdienst_venv()
    launch = Launch(workdir, key, info["list_server"], info.get("module_overrides") or None)
    launch.spawn(python, port=int(old["base_url"].rsplit(":", 1)[1]))
    if not wait_for(launch.process, launch.ready):
        died = launch.process.poll() is not None
        base.kill_process(launch.process)
        print(base.log_tail(launch.log_path, launch.log_offset), file=sys.stderr)
        raise HarnessError(launch.failure(died))
    info["servers"][key] = launch.info()
    base.write_json(base.server_info_path(launch.directory), launch.info())
    base.write_json(info_path(workdir), info)
    return launch.info()


# ---------------------------------------------------------------------------------------------
# Environment


def export_lines(workdir) -> str:
    info = load_fachdienst_info(workdir)
    values = {}
    for key, server in info["servers"].items():
        prefix = f"TIM_{key.upper()}"
        values[f"{prefix}_URL"] = server["base_url"]
        values[f"{prefix}_TLS_URL"] = server["federation_url"]
        values[f"{prefix}_SERVER_NAME"] = server["server_name"]
        values[f"{prefix}_SECRET"] = server["registration_shared_secret"]
    values["TIM_FD_LIST_URL"] = info["list_server"]["federation_list_url"]
    if info.get("insurance_ik"):
        values["TIM_FD_INSURANCE_IK"] = info["insurance_ik"]
    values["TIM_FD_TLS_CA"] = info["tls_ca"]
    return "\n".join(f"export {key}={shlex.quote(value)}" for key, value in values.items())
