"""The app's key pair, the JWT check and installation tokens, as GitHub does them.

Docs: https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app
(RS256, `iss` = app id, `exp` at most 10 minutes ahead) and
https://docs.github.com/en/rest/apps/apps#create-an-installation-access-token-for-an-app
(tokens expire after one hour).
"""

from __future__ import annotations

import secrets
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.sandbox.store import APP_ID, Store

TOKEN_TTL = 3600
JWT_MAX_LIFETIME = 600
# GitHub tolerates a little clock drift on `iat`; PyGithub backdates it by 60 s.
CLOCK_SKEW = 60
KEY_FILE = "app-private-key.pem"
# GitHub's own wording for each JWT failure (all answered 401).
JWT_UNDECODABLE = "A JSON web token could not be decoded"
JWT_BAD_ISSUER = "'Issuer' claim ('iss') must be an Integer"
JWT_EXPIRED = (
    "'Expiration time' claim ('exp') must be a numeric value representing the future time"
    " at which the assertion expires"
)
JWT_FUTURE_IAT = (
    "'Issued at' claim ('iat') must be an Integer representing the time that the assertion"
    " was issued"
)
JWT_TOO_LONG = "'Expiration time' claim ('exp') is too far in the future"
BAD_CREDENTIALS = "Bad credentials"


class AuthFailure(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def load_or_create_key(data_dir: Path) -> tuple[Path, bytes]:
    """The app's private key PEM under `data_dir`, generated (2048-bit RSA) on first use."""
    path = data_dir / KEY_FILE
    if path.exists():
        return path, path.read_bytes()
    pem = new_key_pem()
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pem)
    path.chmod(0o600)
    return path, pem


def new_key_pem() -> bytes:
    """A new 2048-bit RSA private key, PEM (PKCS#1, as GitHub hands them out)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def public_key_pem(private_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def verify_app_jwt(token: str, public_pem: bytes, now: float) -> None:
    """Raise AuthFailure with GitHub's message unless `token` is a valid app JWT."""
    try:
        claims = jwt.decode(
            token,
            public_pem,
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_iat": False, "require": ["iat", "exp", "iss"]},
        )
    except jwt.PyJWTError as err:
        raise AuthFailure(JWT_UNDECODABLE) from err
    if not str(claims["iss"]).isdigit():
        raise AuthFailure(JWT_BAD_ISSUER)
    if str(claims["iss"]) != str(APP_ID):  # another app: its key would not verify this token
        raise AuthFailure(JWT_UNDECODABLE)
    exp, iat = float(claims["exp"]), float(claims["iat"])
    if exp <= now:
        raise AuthFailure(JWT_EXPIRED)
    if iat > now + CLOCK_SKEW:
        raise AuthFailure(JWT_FUTURE_IAT)
    if exp - iat > JWT_MAX_LIFETIME + CLOCK_SKEW:
        raise AuthFailure(JWT_TOO_LONG)


def verify_app_jwt_any(token: str, public_pems: list[bytes], now: float) -> None:
    """`verify_app_jwt` against each of the app's keys (an app may have several): the first
    key whose signature matches decides; none matching is GitHub's "could not be decoded"."""
    for pem in public_pems:
        try:
            verify_app_jwt(token, pem, now)
            return
        except AuthFailure as err:
            if err.message != JWT_UNDECODABLE:
                raise
    raise AuthFailure(JWT_UNDECODABLE)


def issue_token(store: Store, ttl: float) -> tuple[str, float]:
    token = "ghs_" + secrets.token_urlsafe(27)
    expires = store.clock() + ttl
    with store.lock:
        store.tokens[token] = expires
    return token, expires


def check_token(store: Store, token: str) -> None:
    with store.lock:
        expires = store.tokens.get(token)
    if expires is None or expires <= store.clock():
        raise AuthFailure(BAD_CREDENTIALS)
