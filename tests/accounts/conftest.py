"""Fixtures of the accounts tests: a real JWKS server standing in for Google, ID-token signing, uploads."""

import io
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from PIL import Image

GOOGLE_CLIENT_ID = "1234567890-blocra-test.apps.googleusercontent.com"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class JwksServer:
    """Serves a JWKS document over real HTTP on 127.0.0.1 and counts the requests it answered."""

    keys: dict[str, rsa.RSAPrivateKey]
    status: int = 200
    hits: int = 0
    url: str = ""
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)

    def document(self) -> bytes:
        entries = []
        for kid, key in self.keys.items():
            entry = jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
            entries.append({**entry, "kid": kid, "alg": "RS256", "use": "sig"})
        return json.dumps({"keys": entries}).encode()

    def start(self) -> "JwksServer":
        server_state = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server_state.hits += 1
                body = server_state.document() if server_state.status == 200 else b"{}"
                self.send_response(server_state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        # A path of its own, so keys cached for an earlier server on a reused port never apply here.
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/{uuid.uuid4().hex}/oauth2/v3/certs"
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@pytest.fixture(scope="session")
def google_key() -> rsa.RSAPrivateKey:
    return rsa_key()


@pytest.fixture
def google_jwks(settings, google_key):
    """Google sign-in configured against a local JWKS server publishing `google_key` as kid "k1"."""
    server = JwksServer(keys={"k1": google_key}).start()
    settings.GOOGLE_CLIENT_ID = GOOGLE_CLIENT_ID
    settings.GOOGLE_CERTS_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def google_token(google_key):
    """Signs a Google-like ID token; keyword arguments override or (with None) remove claims."""

    def sign(*, key=None, kid: str = "k1", **overrides) -> str:
        now = int(time.time())
        claims = {
            "iss": "https://accounts.google.com",
            "aud": GOOGLE_CLIENT_ID,
            "sub": "110169484474386276334",
            "email": "ada@gmail.com",
            "email_verified": True,
            "name": "Ada Lovelace",
            "picture": "https://lh3.googleusercontent.com/a/ada",
            "iat": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(claims, key or google_key, algorithm="RS256", headers={"kid": kid})

    return sign


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def make_image():
    """Bytes of a real image in the given Pillow format."""

    def make(image_format: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", size, (200, 30, 30)).save(buffer, format=image_format)
        return buffer.getvalue()

    return make
