"""Key material for a loopback Fachdienst run: a stand-in of gematik's PKI, the signed federation
list, a TLS CA with one certificate per server, and missing Synapse signing keys.

Runs inside the Synapse virtualenv (it needs `cryptography`, `jwcrypto` and `signedjson`);
fachdienst_harness.py calls it as `python fachdienst_pki.py SPEC.json`. Everything it makes is
a test-only stand-in: nothing here comes from, or is trusted by, gematik's real infrastructure.

SPEC.json: {"www_dir", "list_file" (relative to www_dir), "list_version", "domains" (the
federation list's domainList), "tls_ca_cert", "tls_servers": [{"address", "cert", "key"}],
"signing_keys": [path, ...]}. Files under www_dir follow the layout the invite checker fetches:
ECC/ROOT-CA/roots.json, ECC/SUB-CA/<issuer CN, spaces as _>.der and the list itself.
"""

import base64
import datetime
import ipaddress
import json
import secrets
import string
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from jwcrypto import jwk, jws
from signedjson.key import generate_signing_key, write_signing_keys

ROOT_CN = "TEST-ONLY TIM-HEADLESS ROOT-CA"
SUB_CA_CN = "TEST-ONLY TIM-HEADLESS SUB-CA"
SIGNER_CN = "TEST-ONLY TIM-HEADLESS FEDERATION LIST SIGNER"
TLS_CA_CN = "TEST-ONLY tim-headless loopback TLS CA"
VALIDITY = datetime.timedelta(days=30)
LIST_ALG = "BP256R1"  # gematik signs the list with ECDSA on brainpoolP256r1 and SHA-256


def name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def certificate(subject_cn, subject_key, issuer_cn, issuer_key, extensions) -> x509.Certificate:
    # Back-dated a day so a clock step between processes never makes a fresh cert "not yet valid".
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(name(subject_cn))
               .issuer_name(name(issuer_cn))
               .public_key(subject_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + VALIDITY))
    builder = builder.add_extension(
        x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False)
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
        critical=False)
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer_key, hashes.SHA256())


def ca_extensions(path_length):
    usage = x509.KeyUsage(digital_signature=False, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=True, crl_sign=True, encipher_only=False,
                          decipher_only=False)
    return [(x509.BasicConstraints(ca=True, path_length=path_length), True), (usage, True)]


def leaf_extensions(extra=()):
    usage = x509.KeyUsage(digital_signature=True, content_commitment=False,
                          key_encipherment=False, data_encipherment=False, key_agreement=False,
                          key_cert_sign=False, crl_sign=False, encipher_only=False,
                          decipher_only=False)
    return [(x509.BasicConstraints(ca=False, path_length=None), True), (usage, True), *extra]


def der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def write_private_key(path: Path, key) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def gematik_stand_in(www_dir: Path):
    """Root, sub-CA and list signer on brainpoolP256r1; publishes the CA files; returns the
    signer's key and certificate."""
    curve = ec.BrainpoolP256R1()
    root_key, sub_key, signer_key = (ec.generate_private_key(curve) for _ in range(3))
    root = certificate(ROOT_CN, root_key, ROOT_CN, root_key, ca_extensions(1))
    sub_ca = certificate(SUB_CA_CN, sub_key, ROOT_CN, root_key, ca_extensions(0))
    signer = certificate(SIGNER_CN, signer_key, SUB_CA_CN, sub_key, leaf_extensions())

    # The checker reads only each element's "cert"; the other fields mimic gematik's file.
    roots = [{"name": ROOT_CN.replace(" ", "_"), "cn": ROOT_CN,
              "cert": base64.b64encode(der(root)).decode()}]
    root_dir = www_dir / "ECC" / "ROOT-CA"
    sub_dir = www_dir / "ECC" / "SUB-CA"
    root_dir.mkdir(parents=True, exist_ok=True)
    sub_dir.mkdir(parents=True, exist_ok=True)
    (root_dir / "roots.json").write_text(json.dumps(roots, indent=2) + "\n")
    (sub_dir / f"{SUB_CA_CN.replace(' ', '_')}.der").write_bytes(der(sub_ca))
    return signer_key, signer


def signed_federation_list(signer_key, signer, version: int, domains: list) -> str:
    payload = json.dumps({"version": version, "domainList": domains}).encode()
    token = jws.JWS(payload)
    token.allowed_algs = [LIST_ALG]  # jwcrypto's default list leaves brainpool out
    header = {"alg": LIST_ALG, "x5c": [base64.b64encode(der(signer)).decode()]}
    token.add_signature(jwk.JWK.from_pyca(signer_key), alg=None, protected=json.dumps(header))
    return token.serialize(compact=True)


def tls_material(ca_cert_path: Path, servers: list) -> None:
    """A P-256 CA and, per server, a certificate whose only SAN is the server's IP literal."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = certificate(TLS_CA_CN, ca_key, TLS_CA_CN, ca_key, ca_extensions(0))
    ca_cert_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for server in servers:
        key = ec.generate_private_key(ec.SECP256R1())
        san = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(server["address"]))])
        usage = x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH])
        cert = certificate(f"TEST-ONLY {server['address']}", key, TLS_CA_CN, ca_key,
                           leaf_extensions([(san, False), (usage, False)]))
        Path(server["cert"]).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        write_private_key(Path(server["key"]), key)


def missing_signing_keys(paths: list) -> None:
    # Synapse's own --generate-keys costs a 2 s interpreter start per server; this is the same
    # format ("ed25519 a_XXXX <seed>") for free.
    alphabet = string.ascii_letters + string.digits
    for path in map(Path, paths):
        if path.exists():
            continue
        version = "a_" + "".join(secrets.choice(alphabet) for _ in range(4))
        with open(path, "w") as handle:
            write_signing_keys(handle, [generate_signing_key(version)])
        path.chmod(0o600)


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text())
    www_dir = Path(spec["www_dir"])
    signer_key, signer = gematik_stand_in(www_dir)
    list_path = www_dir / spec["list_file"]
    list_path.parent.mkdir(parents=True, exist_ok=True)
    list_path.write_text(signed_federation_list(signer_key, signer, spec["list_version"],
                                                spec["domains"]))
    tls_material(Path(spec["tls_ca_cert"]), spec["tls_servers"])
    missing_signing_keys(spec["signing_keys"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
