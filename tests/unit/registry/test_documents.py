"""What ``credstack verify`` is given or fetches: arguments, a folder of URLs, and --fetch over a
real TLS connection to a local server (a throwaway certificate made here)."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import ipaddress
import json
import ssl
import threading

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import hostile
from credstack.errors import CredentialError
from credstack.registry.documents import (
    Documents,
    fetch_documents,
    from_arguments,
    from_folder,
    https_get,
    needed_urls,
)

DID = "did:web:issuer.example:lab"
DID_DOC = {"id": DID, "verificationMethod": []}
LIST = {
    "id": "https://issuer.example/lab/status/revocation-1.json",
    "type": ["VerifiableCredential"],
}


def test_arguments_know_lists_at_their_url_or_their_id(tmp_path):
    (tmp_path / "did.json").write_text(json.dumps(DID_DOC))
    (tmp_path / "list.json").write_text(json.dumps(LIST))
    (tmp_path / "list.jwt").write_text("eyJhbGciOiJFUzI1NiJ9.eyJpZCI6ImEifQ.c2ln")
    docs = from_arguments(
        [str(tmp_path / "did.json")],
        [
            str(tmp_path / "list.json"),
            f"https://mirror.example/list={tmp_path / 'list.json'}",
            f"https://mirror.example/jwt={tmp_path / 'list.jwt'}",
        ],
    )
    assert docs.did_documents == [DID_DOC]
    assert docs.status_lists[LIST["id"]] == LIST
    assert docs.status_lists["https://mirror.example/list"] == LIST
    assert docs.status_lists["https://mirror.example/jwt"].startswith("eyJ")


def test_a_folder_of_saved_documents_is_read_as_their_urls(tmp_path):
    (tmp_path / "issuer.example/lab/status").mkdir(parents=True)
    (tmp_path / "issuer.example/lab/did.json").write_text(json.dumps(DID_DOC))
    (tmp_path / "issuer.example/lab/status/revocation-1.json").write_text(json.dumps(LIST))
    (tmp_path / "issuer.example/broken.json").write_text("{")
    docs = from_folder(tmp_path)
    assert docs.did_documents == [DID_DOC]
    assert set(docs.status_lists) == {LIST["id"]}
    assert [where for where, _ in docs.problems] == [str(tmp_path / "issuer.example/broken.json")]
    with pytest.raises(CredentialError, match="not a folder"):
        from_folder(tmp_path / "missing")


def test_needed_urls_name_keys_lists_companions_and_what_a_clr_embeds():
    embedded = {
        "issuer": "did:web:other.example",
        "proof": [{"verificationMethod": "did:web:other.example#k"}],
        "credentialStatus": {"type": "1EdTechRevocationList", "id": "https://other.example/rl"},
    }
    credential = {
        "issuer": {"id": DID},
        "proof": [{"verificationMethod": f"{DID}#key-1"}, {"verificationMethod": "did:key:z6Mk"}],
        "credentialStatus": {
            "type": "BitstringStatusListEntry",
            "statusListCredential": "https://issuer.example/lab/status/revocation-1.json",
        },
        "credentialSubject": {"verifiableCredential": [embedded]},
    }
    assert needed_urls([credential]) == [
        "https://issuer.example/lab/did.json",
        "https://issuer.example/lab/status/revocation-1.json",
        "https://issuer.example/lab/status/suspension-1.json",
        "https://other.example/.well-known/did.json",
        "https://other.example/rl",
    ]


@pytest.fixture
def https_server(tmp_path):
    """https://127.0.0.1:PORT/ serving tmp_path/site, and a client TLS context trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    site = tmp_path / "site"
    site.mkdir()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "http://127.0.0.1:1/plain")
                self.end_headers()
                return
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(site))
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert_file, key_file)
    httpd.socket = server_context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    client = ssl.create_default_context(cafile=str(cert_file))
    yield f"https://127.0.0.1:{httpd.server_address[1]}/", site, client
    httpd.shutdown()


def test_fetch_gets_what_is_missing_over_https_only(https_server):
    base, site, client = https_server
    (site / "status").mkdir()
    (site / "status/1").write_text(json.dumps(LIST))
    (site / "big").write_bytes(b"[" + b"0," * 2_000_000 + b"0]")
    (site / "bomb.json").write_bytes(hostile.bomb_list())
    get = functools.partial(https_get, context=client, timeout=5)
    docs = Documents(status_lists={f"{base}known": {"id": "given"}})
    urls = [f"{base}status/1", f"{base}known", f"{base}missing", f"{base}big", f"{base}redirect"]
    fetch_documents([*urls, "http://127.0.0.1/plain"], docs, get=get)
    assert docs.fetched == [f"{base}status/1"]
    assert docs.status_lists[f"{base}status/1"] == LIST
    assert docs.status_lists[f"{base}known"] == {"id": "given"}  # never fetched again
    problems = dict(docs.problems)
    assert "404" in problems[f"{base}missing"]
    assert "larger than" in problems[f"{base}big"]
    assert "redirect away from https" in problems[f"{base}redirect"]
    assert "only those" in problems["http://127.0.0.1/plain"]
    # Fetched is not trusted: a list must still verify (the bomb is refused when read).
    assert get(f"{base}bomb.json")["type"] == [
        "VerifiableCredential",
        "BitstringStatusListCredential",
    ]
    with pytest.raises(CredentialError):
        https_get(f"{base}status/1", timeout=5)  # an untrusted certificate is refused
