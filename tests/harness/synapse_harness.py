#!/usr/bin/env python3
"""Throw-away Synapse homeservers for tim-headless integration tests.

The harness installs a pinned Synapse into a cached virtualenv, starts homeservers bound to
127.0.0.1 on free ports (one per work directory, detached from the caller), registers users via
the shared-secret admin API, and stops the servers again. Rate limits are relaxed so tests can
log in and send as fast as they like.

Everything a test needs is written to WORKDIR/server.json. Commands:

    synapse_harness.py ensure-venv
    synapse_harness.py ensure-nio-venv [--version 0.25.2|0.26.0]
    synapse_harness.py ensure-toxiproxy
    synapse_harness.py start    --workdir DIR [--name NAME] [--port PORT]
    synapse_harness.py register --workdir DIR [--server fd1|fd2|plain] --user LOCALPART
                                --password PW [--admin] [--exist-ok]
    synapse_harness.py env      --workdir DIR
    synapse_harness.py stop     --workdir DIR [--kill]

Fachdienst mode (two TI-M Fachdienste and an unlisted plain server; see fachdienst_harness.py):

    synapse_harness.py start-fachdienst --workdir DIR [--insurance fd1|fd2|none]
    synapse_harness.py env-fachdienst   --workdir DIR
    synapse_harness.py stop-fachdienst  --workdir DIR
    synapse_harness.py kill-server      --workdir DIR --server fd1|fd2|plain
    synapse_harness.py restart-server   --workdir DIR --server fd1|fd2|plain
    synapse_harness.py check-adapter

Python tests can import start_server(), register_user() and stop_server() instead.
Only the standard library is used here; Synapse itself lives in the virtualenv. ensure-nio-venv
installs matrix-nio into a virtualenv of its version, for the interop peer of the Java tests
(tests/interop/nio_peer.py): 0.25.2 with libolm, 0.26.0 with vodozemac's Python binding.
ensure-toxiproxy builds Shopify's Toxiproxy server with the Go toolchain into the cache, for the
network-fault tests; it prints the binary's path.
"""

import argparse
import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import venv
from pathlib import Path

SYNAPSE_VERSION = "1.163.2"
# The independent clients of the interop test: 0.25.2 encrypts with libolm (python-olm), sharing
# no crypto code with us; 0.26.0 switched to vodozemac's Python binding.
NIO_VERSION = "0.25.2"
NIO_VERSIONS = ("0.25.2", "0.26.0")
# The fault-injecting TCP proxy of the network-fault tests (a Go module; v2.5.0 is the newest
# the module proxy serves here).
TOXIPROXY_MODULE = "github.com/Shopify/toxiproxy/v2/cmd/server"
TOXIPROXY_VERSION = "v2.5.0"
SERVER_NAME = "localhost"
BIND_ADDRESS = "127.0.0.1"

STARTUP_TIMEOUT_S = 60.0
STOP_GRACE_S = 10.0
START_ATTEMPTS = 5
LOG_TAIL_LINES = 60

# Generous enough that no test ever trips a limit, small enough to stay valid integers.
RELAXED_RATE = {"per_second": 1000, "burst_count": 10000}

EXIT_FAILURE = 1
EXIT_USER_EXISTS = 3

# Loopback only: never let an http(s)_proxy from the environment intercept test traffic.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class HarnessError(Exception):
    """A failure with a message meant for the person running the tests."""


class UserExistsError(HarnessError):
    """The user to register is already there (and exist_ok was not given)."""


# ---------------------------------------------------------------------------------------------
# Virtualenv


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "tim-headless"
    return Path(os.environ.get("TIM_CACHE_DIR") or default)


def note(message: str) -> None:
    print(f"synapse_harness: {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def exclusive_lock(path: Path):
    """Hold an flock on path, so concurrent harness runs install the venv only once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class PinnedVenv:
    """A virtualenv in the cache that holds one pinned requirement, checked by a probe.

    `probe` is Python code run with the venv's interpreter (isolated, so the caller's directory
    cannot shadow a module); it must print the installed version.
    """

    def __init__(self, name: str, requirement: str, version: str, probe: str):
        self.name = name
        self.requirement = requirement
        self.version = version
        self.probe = probe

    def directory(self) -> Path:
        return cache_dir() / f"venv-{self.name}-{self.version}"

    def python(self) -> Path:
        return self.directory() / "bin" / "python"

    def has_pinned_version(self) -> bool:
        if not self.python().exists():
            return False
        result = subprocess.run(
            [str(self.python()), "-I", "-c", self.probe],
            capture_output=True, text=True, check=False,
        )
        return result.returncode == 0 and result.stdout.strip() == self.version

    def create(self) -> None:
        # A half-made venv (interrupted earlier run, moved interpreter) is cheaper to redo than
        # to fix.
        if self.directory().exists():
            shutil.rmtree(self.directory())
        note(f"creating virtualenv {self.directory()}")
        venv.EnvBuilder(with_pip=True, symlinks=True).create(self.directory())

    def install(self) -> None:
        note(f"installing {self.requirement}")
        command = [str(self.python()), "-m", "pip", "install", "--quiet", self.requirement]
        # pip talks on stdout; keep ours clean for the python path.
        result = subprocess.run(command, stdout=sys.stderr, check=False)
        if result.returncode != 0:
            raise HarnessError(f"pip install failed with exit code {result.returncode}")

    def ensure(self) -> Path:
        """Return the venv's python, creating the venv and installing when needed."""
        with exclusive_lock(cache_dir() / f"venv-{self.name}-{self.version}.lock"):
            if self.has_pinned_version():
                return self.python()

            if not self.python().exists():
                self.create()
            self.install()

            if not self.has_pinned_version():
                # Reusing a broken venv did not help; start over once from nothing.
                self.create()
                self.install()
                if not self.has_pinned_version():
                    raise HarnessError(f"{self.requirement} is still not importable")
            return self.python()


SYNAPSE_VENV = PinnedVenv(
    "synapse", f"matrix-synapse=={SYNAPSE_VERSION}", SYNAPSE_VERSION,
    "import synapse; print(synapse.__version__)",
)

# Importing the crypto module as well proves the e2e extra is there, not just nio itself.
NIO_CRYPTO_MODULE = {"0.25.2": "olm", "0.26.0": "vodozemac"}
NIO_VENVS = {
    version: PinnedVenv(
        "nio", f"matrix-nio[e2e]=={version}", version,
        f"import importlib.metadata as m, {NIO_CRYPTO_MODULE[version]}, nio; "
        f"print(m.version('matrix-nio'))",
    )
    for version in NIO_VERSIONS
}


def venv_dir() -> Path:
    return SYNAPSE_VENV.directory()


def venv_python() -> Path:
    return SYNAPSE_VENV.python()


def ensure_venv() -> Path:
    """Return the Synapse venv's python, creating it and installing Synapse when needed."""
    return SYNAPSE_VENV.ensure()


def ensure_nio_venv(version: str = NIO_VERSION) -> Path:
    """Return the python of the venv with matrix-nio `version`, installing it when needed."""
    return NIO_VENVS[version].ensure()


def toxiproxy_binary() -> Path:
    return cache_dir() / f"toxiproxy-{TOXIPROXY_VERSION}" / "toxiproxy-server"


def ensure_toxiproxy() -> Path:
    """Return the Toxiproxy server binary, building it with `go install` when it is missing."""
    binary = toxiproxy_binary()
    with exclusive_lock(cache_dir() / f"toxiproxy-{TOXIPROXY_VERSION}.lock"):
        if binary.exists():
            return binary
        go = shutil.which("go")
        if go is None:
            raise HarnessError("the Go toolchain (go) is needed to build Toxiproxy")
        build_dir = binary.parent / "bin"
        note(f"building {TOXIPROXY_MODULE}@{TOXIPROXY_VERSION}")
        environment = dict(os.environ, GOBIN=str(build_dir), GOFLAGS="-mod=mod")
        result = subprocess.run([go, "install", f"{TOXIPROXY_MODULE}@{TOXIPROXY_VERSION}"],
                                stdout=sys.stderr, env=environment, check=False)
        if result.returncode != 0:
            raise HarnessError(f"go install failed with exit code {result.returncode}")
        (build_dir / "server").rename(binary)
        return binary


# ---------------------------------------------------------------------------------------------
# Configuration


def free_tcp_port(address: str = BIND_ADDRESS) -> int:
    # Racy by nature (the port is released before Synapse binds it); start() retries on a clash.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((address, 0))
        return probe.getsockname()[1]


def relaxed_rate_limits() -> dict:
    """Every rc_* section Synapse 1.163.2 knows, opened wide."""
    return {
        "rc_message": RELAXED_RATE,
        "rc_registration": RELAXED_RATE,
        "rc_registration_token_validity": RELAXED_RATE,
        "rc_login": {
            "address": RELAXED_RATE,
            "account": RELAXED_RATE,
            "failed_attempts": RELAXED_RATE,
        },
        "rc_joins": {"local": RELAXED_RATE, "remote": RELAXED_RATE},
        "rc_joins_per_room": RELAXED_RATE,
        "rc_invites": {
            "per_room": RELAXED_RATE,
            "per_user": RELAXED_RATE,
            "per_issuer": RELAXED_RATE,
        },
        "rc_third_party_invite": RELAXED_RATE,
        "rc_room_creation": RELAXED_RATE,
        "rc_key_requests": RELAXED_RATE,
        "rc_3pid_validation": RELAXED_RATE,
        "rc_admin_redaction": RELAXED_RATE,
        "rc_media_create": RELAXED_RATE,
        "rc_presence": {"per_user": RELAXED_RATE},
        "rc_delayed_event_mgmt": RELAXED_RATE,
        "rc_reports": RELAXED_RATE,
        "rc_user_directory": RELAXED_RATE,
        "rc_profile": RELAXED_RATE,
        "rc_federation": {
            "window_size": 1000,
            "sleep_limit": 10000,
            "sleep_delay": 1,
            "reject_limit": 10000,
            "concurrent": 10000,
        },
    }


def random_secrets() -> dict:
    return {
        "registration_shared_secret": secrets.token_hex(32),
        "macaroon_secret_key": secrets.token_hex(32),
        "form_secret": secrets.token_hex(32),
    }


def previous_secrets(config_path: Path) -> dict:
    """Keep the secrets of an earlier start, so a restarted server accepts the old ones."""
    if not config_path.exists():
        return {}
    try:
        old = json.loads(config_path.read_text())
    except (OSError, ValueError):
        return {}
    return {key: old[key] for key in random_secrets() if isinstance(old.get(key), str)}


def homeserver_config(workdir: Path, port: int, kept_secrets: dict) -> dict:
    config = {
        "server_name": SERVER_NAME,
        "public_baseurl": f"http://{BIND_ADDRESS}:{port}/",
        "listeners": [{
            "port": port,
            "bind_addresses": [BIND_ADDRESS],
            "type": "http",
            "tls": False,
            "x_forwarded": False,
            "resources": [{"names": ["client", "federation"], "compress": False}],
        }],
        "database": {"name": "sqlite3", "args": {"database": str(workdir / "homeserver.db")}},
        "log_config": str(workdir / "log_config.yaml"),
        "media_store_path": str(workdir / "media_store"),
        "signing_key_path": str(workdir / f"{SERVER_NAME}.signing.key"),
        "enable_registration": False,
        "report_stats": False,
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        # Room for the 100 MB attachment of the memory benchmark (Synapse's default is 50M).
        "max_upload_size": "200M",
        "default_room_version": "10",
        "bcrypt_rounds": 4,
        "enable_metrics": False,
        # Lets tests mint an m.login.token the way an SSO flow hands one to the integrating
        # system (POST /_matrix/client/v1/login/get_token).
        "login_via_existing_session": {
            "enabled": True, "require_ui_auth": False, "token_timeout": "5m",
        },
    }
    config.update(random_secrets())
    config.update(kept_secrets)
    config.update(relaxed_rate_limits())
    return config


def log_config(log_path: Path) -> dict:
    # INFO, not DEBUG: a long test run at DEBUG writes gigabytes of SQL logging. No
    # LoggingContextFilter entry: Synapse installs that one itself.
    return {
        "version": 1,
        "formatters": {
            "precise": {
                "format": "%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - "
                          "%(request)s - %(message)s",
            },
        },
        "handlers": {
            "file": {
                "class": "logging.FileHandler",
                "formatter": "precise",
                "filename": str(log_path),
                "encoding": "utf8",
            },
        },
        "loggers": {"synapse.storage.SQL": {"level": "INFO"}},
        "root": {"level": "INFO", "handlers": ["file"]},
        "disable_existing_loggers": False,
    }


def write_json(path: Path, data: dict) -> None:
    # Synapse reads its config as YAML, and JSON is valid YAML: no YAML writer needed here.
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(data, indent=2) + "\n")
    temporary.replace(path)


# ---------------------------------------------------------------------------------------------
# Starting


def server_info_path(workdir: Path) -> Path:
    return workdir / "server.json"


def log_path_of(workdir: Path) -> Path:
    return workdir / "homeserver.log"


def load_server_info(workdir) -> dict:
    """The server.json that start wrote for workdir."""
    path = server_info_path(Path(workdir).resolve())
    if not path.exists():
        raise HarnessError(f"no server.json in {path.parent}: run 'start' first")
    return json.loads(path.read_text())


def log_tail(log_path: Path, since_offset: int = 0) -> str:
    try:
        with open(log_path, "rb") as handle:
            handle.seek(since_offset)
            text = handle.read().decode("utf8", errors="replace")
    except OSError:
        return "(no log written)"
    return "\n".join(text.splitlines()[-LOG_TAIL_LINES:])


def generate_signing_key(python: Path, config_path: Path) -> None:
    command = [str(python), "-m", "synapse.app.homeserver", "-c", str(config_path),
               "--generate-keys"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise HarnessError(f"synapse --generate-keys failed:\n{result.stdout}{result.stderr}")


def spawn_synapse(python: Path, config_path: Path, log_path: Path,
                  env: dict = None) -> subprocess.Popen:
    command = [str(python), "-m", "synapse.app.homeserver", "-c", str(config_path)]
    # Synapse's own logging and anything it prints before logging is set up (config errors)
    # share one file; O_APPEND keeps the two writers from overwriting each other.
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            command,
            cwd=str(config_path.parent),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def answers_versions(base_url: str) -> bool:
    try:
        with _HTTP.open(f"{base_url}/_matrix/client/versions", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def listening_socket_inodes(port: int, address: str = BIND_ADDRESS) -> set:
    """Inodes of IPv4 sockets listening on address:port, from /proc/net/tcp."""
    kernel_address = socket.inet_aton(address)[::-1].hex().upper()  # the kernel's byte order
    wanted = f"{kernel_address}:{port:04X}"
    inodes = set()
    with contextlib.suppress(OSError):
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
            fields = line.split()
            if fields[1] == wanted and fields[3] == "0A":  # 0A: TCP_LISTEN
                inodes.add(fields[9])
    return inodes


def owns_listening_socket(pid: int, port: int, address: str = BIND_ADDRESS) -> bool:
    inodes = {f"socket:[{inode}]" for inode in listening_socket_inodes(port, address)}
    if not inodes:
        return False
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) in inodes:
                    return True
    return False


def wait_until_ready(process: subprocess.Popen, port: int) -> bool:
    """True once our Synapse answers /versions; False if it died or the time ran out."""
    base_url = f"http://{BIND_ADDRESS}:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        # Whoever grabbed the port after free_tcp_port() released it would answer /versions
        # too (seen in practice with two harness runs): insist on our pid holding the socket.
        if owns_listening_socket(process.pid, port) and answers_versions(base_url):
            return True
        time.sleep(0.2)
    return False


def kill_process(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def is_port_clash(log_text: str) -> bool:
    return "Address already in use" in log_text or "CannotListenError" in log_text


def recorded_pid(workdir: Path):
    path = server_info_path(workdir)
    return json.loads(path.read_text()).get("pid") if path.exists() else None


def refuse_if_running(workdir: Path) -> None:
    pid = recorded_pid(workdir)
    if isinstance(pid, int) and is_our_synapse(pid, workdir):
        raise HarnessError(f"a server (pid {pid}) already runs in {workdir}: stop it first")


def start_server(workdir, name: str = None, access_token_lifetime: str = None,
                 port: int = None) -> dict:
    """Start a Synapse in workdir, wait until it answers, and return its server.json data.

    name only labels the server in server.json (handy when a test runs several).
    access_token_lifetime (a Synapse duration such as "5s") makes access tokens issued with a
    refresh token expire that soon, for tests of refreshing and soft logout.
    port makes it listen there (a restart where its clients expect it); else a free port."""
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    refuse_if_running(workdir)
    python = ensure_venv()

    config_path = workdir / "homeserver.yaml"
    log_path = log_path_of(workdir)
    kept_secrets = previous_secrets(config_path)
    write_json(workdir / "log_config.yaml", log_config(log_path))

    # A given port (to restart a server where its clients expect it) is tried once.
    attempts = 1 if port else START_ATTEMPTS
    fixed_port = port
    for attempt in range(1, attempts + 1):
        port = fixed_port or free_tcp_port()
        config = homeserver_config(workdir, port, kept_secrets)
        if access_token_lifetime:
            config["refreshable_access_token_lifetime"] = access_token_lifetime
        kept_secrets = {key: config[key] for key in random_secrets()}
        write_json(config_path, config)

        if not Path(config["signing_key_path"]).exists():
            generate_signing_key(python, config_path)

        log_offset = log_path.stat().st_size if log_path.exists() else 0
        process = spawn_synapse(python, config_path, log_path)
        base_url = f"http://{BIND_ADDRESS}:{port}"
        if wait_until_ready(process, port):
            break

        died = process.poll() is not None
        kill_process(process)
        new_log = log_tail(log_path, log_offset)
        if died and is_port_clash(new_log) and attempt < attempts:
            note(f"port {port} was taken meanwhile; retrying on another")
            continue
        print(new_log, file=sys.stderr)
        reason = "exited early" if died else f"did not answer within {STARTUP_TIMEOUT_S:.0f} s"
        raise HarnessError(f"synapse {reason}; log: {log_path}")

    info = {
        "base_url": base_url,
        "server_name": SERVER_NAME,
        "registration_shared_secret": config["registration_shared_secret"],
        "pid": process.pid,
        "log": str(log_path),
    }
    if name:
        info["name"] = name
    write_json(server_info_path(workdir), info)
    return info


# ---------------------------------------------------------------------------------------------
# Registering


def http_json(method: str, url: str, body: dict = None, token: str = None) -> tuple:
    """(status, decoded JSON body); HTTP errors are returned, not raised. With `token`, the
    request carries it as a bearer access token."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with _HTTP.open(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        payload = error.read()
        try:
            return error.code, json.loads(payload or b"{}")
        except ValueError:
            return error.code, {"error": payload.decode("utf8", errors="replace")}
    except (urllib.error.URLError, OSError) as error:
        raise HarnessError(f"{method} {url} failed: {error}") from error


def registration_mac(secret: str, nonce: str, user: str, password: str, admin: bool) -> str:
    # Synapse's documented scheme: HMAC-SHA1 over NUL-separated fields, no trailing NUL.
    fields = [nonce, user, password, "admin" if admin else "notadmin"]
    message = b"\x00".join(field.encode("utf8") for field in fields)
    return hmac.new(secret.encode("utf8"), message, hashlib.sha1).hexdigest()


def full_user_id(localpart: str, server_name: str = SERVER_NAME) -> str:
    return f"@{localpart}:{server_name}"


def register_user(workdir, user: str, password: str, admin: bool = False,
                  exist_ok: bool = False) -> dict:
    """Register localpart user; returns {"user_id", "access_token", "device_id", ...}.

    An existing user raises UserExistsError, or with exist_ok returns just {"user_id": ...}."""
    info = load_server_info(workdir)
    url = f"{info['base_url']}/_synapse/admin/v1/register"

    status, reply = http_json("GET", url)
    if status != 200 or "nonce" not in reply:
        raise HarnessError(f"could not get a registration nonce ({status}): {reply}")

    mac = registration_mac(info["registration_shared_secret"], reply["nonce"], user, password,
                           admin)
    body = {"nonce": reply["nonce"], "username": user, "password": password,
            "admin": admin, "mac": mac}
    status, reply = http_json("POST", url, body)

    if status == 200:
        return reply
    if reply.get("errcode") == "M_USER_IN_USE":
        if exist_ok:
            return {"user_id": full_user_id(user, info["server_name"])}
        user_id = full_user_id(user, info["server_name"])
        raise UserExistsError(f"user {user_id} already exists (use --exist-ok)")
    raise HarnessError(f"registration of {user!r} failed ({status}): {reply}")


# ---------------------------------------------------------------------------------------------
# Stopping


def process_cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\x00", b" ").decode("utf8", errors="replace")


def is_gone(pid: int) -> bool:
    # When the caller is Synapse's parent (a Python test that called start_server), the dead
    # process stays a zombie until reaped, and kill(pid, 0) would still succeed on it.
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state in ("Z", "X")


def is_our_synapse(pid: int, workdir: Path) -> bool:
    """Guard against pid reuse: only signal the Synapse that serves this workdir."""
    cmdline = process_cmdline(pid)
    config_path = str(workdir / "homeserver.yaml")
    return not is_gone(pid) and "synapse.app.homeserver" in cmdline and config_path in cmdline


def signal_server(pid: int, signum: int) -> None:
    # Synapse was started as a session (and group) leader; signal the group to catch helpers.
    with contextlib.suppress(ProcessLookupError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signum)
        else:
            os.kill(pid, signum)


def wait_until_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if is_gone(pid):
            return True
        time.sleep(0.1)
    return is_gone(pid)


def stop_server(workdir, kill: bool = False) -> bool:
    """Stop the Synapse of workdir; True if one was running. Safe to call repeatedly.

    kill sends SIGKILL at once, as a crash would end it: no request is finished, nothing flushed.
    """
    workdir = Path(workdir).resolve()
    pid = recorded_pid(workdir)
    was_running = isinstance(pid, int) and is_our_synapse(pid, workdir)

    if was_running and kill:
        signal_server(pid, signal.SIGKILL)
        if not wait_until_gone(pid, 5):
            raise HarnessError(f"pid {pid} survived SIGKILL")
    elif was_running:
        signal_server(pid, signal.SIGTERM)
        if not wait_until_gone(pid, STOP_GRACE_S):
            note(f"pid {pid} ignored SIGTERM for {STOP_GRACE_S:.0f} s; sending SIGKILL")
            signal_server(pid, signal.SIGKILL)
            if not wait_until_gone(pid, 5):
                raise HarnessError(f"pid {pid} survived SIGKILL")

    # A stale server.json would point env and register at a dead server.
    server_info_path(workdir).unlink(missing_ok=True)
    return was_running


# ---------------------------------------------------------------------------------------------
# Command line


def export_lines(workdir) -> str:
    info = load_server_info(workdir)
    values = {
        "TIM_TEST_HOMESERVER_URL": info["base_url"],
        "TIM_TEST_REGISTRATION_SECRET": info["registration_shared_secret"],
        "TIM_TEST_SERVER_NAME": info["server_name"],
        # Tests that play a compromised server alter stored media here.
        "TIM_TEST_MEDIA_STORE": str(Path(workdir).resolve() / "media_store"),
    }
    return "\n".join(f"export {key}={shlex.quote(value)}" for key, value in values.items())


def run_ensure_venv(args) -> int:
    print(ensure_venv())
    return 0


def run_ensure_nio_venv(args) -> int:
    print(ensure_nio_venv(args.version))
    return 0


def run_ensure_toxiproxy(args) -> int:
    print(ensure_toxiproxy())
    return 0


def run_start(args) -> int:
    print(start_server(args.workdir, args.name, args.access_token_lifetime, args.port)["base_url"])
    return 0


def run_register(args) -> int:
    workdir = args.workdir
    if args.server:
        workdir = fachdienst().server_workdir(args.workdir, args.server)
    reply = register_user(workdir, args.user, args.password, args.admin, args.exist_ok)
    print(reply["user_id"])
    return 0


def run_stop(args) -> int:
    if not stop_server(args.workdir, args.kill):
        note(f"no running server in {args.workdir}; nothing to stop")
    return 0


def run_env(args) -> int:
    print(export_lines(args.workdir))
    return 0


def fachdienst():
    """fachdienst_harness, imported on first use: plain-Synapse commands never load it."""
    sys.dont_write_bytecode = True  # no __pycache__ in the work tree (not git-ignored)
    import fachdienst_harness
    return fachdienst_harness


def run_start_fachdienst(args) -> int:
    info = fachdienst().start_fachdienst(args.workdir, insurance=args.insurance)
    for key, server in info["servers"].items():
        print(f"{key} {server['server_name']} {server['base_url']}")
    return 0


def run_stop_fachdienst(args) -> int:
    if not fachdienst().stop_fachdienst(args.workdir):
        note(f"no Fachdienst set running in {args.workdir}; nothing to stop")
    return 0


def run_env_fachdienst(args) -> int:
    print(fachdienst().export_lines(args.workdir))
    return 0


def run_kill_server(args) -> int:
    fachdienst().kill_server(args.workdir, args.server)
    return 0


def run_restart_server(args) -> int:
    print(fachdienst().restart_server(args.workdir, args.server)["base_url"])
    return 0


def run_check_adapter(args) -> int:
    print(fachdienst().check_adapter())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("ensure-venv", help="install Synapse into the cached virtualenv")
    nio = commands.add_parser("ensure-nio-venv",
                              help="install matrix-nio into the cached virtualenv of its version")
    nio.add_argument("--version", choices=NIO_VERSIONS, default=NIO_VERSION,
                     help="0.25.2 encrypts with libolm, 0.26.0 with vodozemac")
    commands.add_parser("ensure-toxiproxy",
                        help="build the Toxiproxy server into the cache; print its path")

    start = commands.add_parser("start", help="start a homeserver in WORKDIR")
    start.add_argument("--workdir", required=True)
    start.add_argument("--name", help="label stored in server.json")
    start.add_argument("--port", type=int,
                       help="listen on this port (to restart a server where clients expect it)")
    start.add_argument("--access-token-lifetime", metavar="DURATION",
                       help="expire refreshable access tokens after DURATION (e.g. 5s)")

    register = commands.add_parser("register", help="register a user (shared-secret API)")
    register.add_argument("--workdir", required=True)
    register.add_argument("--server", choices=["fd1", "fd2", "plain"],
                          help="a server of the Fachdienst set started in WORKDIR")
    register.add_argument("--user", required=True, help="localpart, e.g. alice")
    register.add_argument("--password", required=True)
    register.add_argument("--admin", action="store_true")
    register.add_argument("--exist-ok", action="store_true",
                          help="an already registered user is not an error")

    stop = commands.add_parser("stop", help="stop the homeserver of WORKDIR")
    stop.add_argument("--workdir", required=True)
    stop.add_argument("--kill", action="store_true",
                      help="SIGKILL at once, as a crash (restart with start --port)")

    env = commands.add_parser("env", help="print export lines for a shell to eval")
    env.add_argument("--workdir", required=True)

    start_fd = commands.add_parser("start-fachdienst",
                                   help="start two Fachdienste, an unlisted plain server and "
                                        "the federation list in WORKDIR")
    start_fd.add_argument("--workdir", required=True)
    start_fd.add_argument("--insurance", choices=["fd1", "fd2", "none"], default="fd2",
                          help="the Fachdienst the federation list flags isInsurance")
    for command, text in (("stop-fachdienst", "stop the Fachdienst set of WORKDIR"),
                          ("env-fachdienst", "print the Fachdienst set's export lines")):
        commands.add_parser(command, help=text).add_argument("--workdir", required=True)
    for command, text in (("kill-server", "SIGKILL one server of the Fachdienst set"),
                          ("restart-server", "start a killed server of the set again, on its "
                                             "old ports")):
        one = commands.add_parser(command, help=text)
        one.add_argument("--workdir", required=True)
        one.add_argument("--server", choices=["fd1", "fd2", "plain"], required=True)
    commands.add_parser("check-adapter",
                        help="fail when the invite-checker adapter is unnecessary or wrong")
    return parser


COMMANDS = {
    "ensure-venv": run_ensure_venv,
    "ensure-nio-venv": run_ensure_nio_venv,
    "ensure-toxiproxy": run_ensure_toxiproxy,
    "start": run_start,
    "register": run_register,
    "stop": run_stop,
    "env": run_env,
    "start-fachdienst": run_start_fachdienst,
    "stop-fachdienst": run_stop_fachdienst,
    "env-fachdienst": run_env_fachdienst,
    "kill-server": run_kill_server,
    "restart-server": run_restart_server,
    "check-adapter": run_check_adapter,
}


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UserExistsError as error:
        note(f"error: {error}")
        return EXIT_USER_EXISTS
    except HarnessError as error:
        note(f"error: {error}")
        return EXIT_FAILURE


if __name__ == "__main__":
    # fachdienst_harness imports this module by name; without the alias it would get a second
    # copy, whose HarnessError main() would not catch.
    sys.modules.setdefault("synapse_harness", sys.modules[__name__])
    sys.exit(main())
