"""Redaction: which values a log line must not carry, and what is written instead.

Two kinds of secret are replaced by ``"***"``:

- a value under a secret-looking key (``password``, ``privateKey``, ``x-api-key``,
  ...), at any depth, also in header pairs such as ``[["Authorization", "Bearer x"]]``
  or ``("Cookie", "...")`` (the shape of ``asgi`` scopes, ``requests``' raw headers);
- a secret inside a string, under any key and in the message: the password of a
  URL or DSN (``postgresql://app:***@db/orders``), a bearer token
  (``Bearer ***``) and a JSON Web Token (three base64url segments, the first
  ``eyJ``: a JSON object's ``{"``, RFC 7519 section 3).

A string is searched only when it contains ``://``, ``eyJ``, ``earer`` or ``EARER``:
substring tests that cost tens of nanoseconds, the first two and the last behind a
one-character test (``memchr``, many times faster on a long string than a search for
three characters); the regular expression (and the ``re`` module) loads on the first
string that passes them. A text of 6 characters or fewer holds none of the three
(the shortest, ``a://:p@``, has 7).
"""

from __future__ import annotations

from lambda_kit._problems import problem

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

REDACTED = "***"

#: keys the logger writes itself: a caller's key of the same name is written as ``<key>_``
RESERVED = frozenset(("timestamp", "level", "message", "service", "location"))
#: the stdlib's keywords, which the logger takes out of a call's keys itself
SPECIAL = frozenset(("extra", "exc_info", "stack_info", "stacklevel"))
_NEVER_SAFE = RESERVED | SPECIAL  # keys that must not take the logger's fast path

#: parts of a key (lower case, without ``-``, ``_``, ``.`` and spaces) that mark its value
#: as secret: ``client_secret``, ``X-Api-Key``, ``privateKey``, ``DB_PASSWORD``...
DEFAULT_SECRET_PARTS = (
    "password",
    "passwd",
    "pwd",
    "passphrase",
    "secret",  # also client_secret
    "token",
    "authorization",
    "apikey",  # api_key, x-api-key, apiKey
    "privatekey",
    "cookie",  # also set-cookie
    "credential",
)

_pattern: Any = None  # the compiled expression, made on first use


def _normal(key: str) -> str:
    return key.lower().replace("-", "").replace("_", "").replace(".", "").replace(" ", "")


def _secret_in_text() -> Any:
    global _pattern
    if _pattern is None:
        import re  # only once a string looks like it may hold a secret

        _pattern = re.compile(
            # scheme://user:PASSWORD@ (userinfo, RFC 3986 3.2.1: no "/", "?", "#" in it);
            # no word boundary before the scheme: "dsn_postgresql://u:pw@h" hides one too
            r"(?P<url>[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/?#@]*:)[^\s/?#]+@"
            # Authorization: Bearer TOKEN (RFC 6750 2.1's b64token characters)
            r"|(?P<bearer>\b(?i:bearer)\s+)[A-Za-z0-9\-._~+/]+=*"
            # header.payload.signature, each base64url; the header is a JSON object
            r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*"
        )
    return _pattern


def _replacement(match: Any) -> str:
    url = match.group("url")
    if url is not None:
        return f"{url}{REDACTED}@"
    bearer = match.group("bearer")
    return REDACTED if bearer is None else f"{bearer}{REDACTED}"


def scrub_text(text: str) -> str:
    """``text`` with URL passwords, bearer tokens and JWTs replaced by ``***``.

    >>> scrub_text("connecting to postgresql://app:hunter2@db:5432/orders")
    'connecting to postgresql://app:***@db:5432/orders'
    """
    if (
        (":" in text and "://" in text)
        or ("J" in text and "eyJ" in text)
        or "earer" in text
        or ("R" in text and "EARER" in text)
    ):  # the module's precheck
        return str(_secret_in_text().sub(_replacement, text))
    return text


class Redactor:
    """Decides which keys hold secrets and replaces secrets by ``"***"`` (see the module).

    A key is secret when, normalised (lower case, no separators), it contains one
    of ``parts`` or matches one of the user's regular expressions. Answers are
    cached per key, so a known key costs one dict lookup.

    ``Redactor(parts=())`` redacts nothing (``redact=False``) but still keeps a
    caller's ``level``/``message``/... keys from replacing the logger's own.

    >>> Redactor().value("headers", {"Authorization": "Bearer x", "Accept": "*/*"})
    {'Authorization': '***', 'Accept': '*/*'}
    """

    __slots__ = ("_cache", "_parts", "_patterns", "plain_texts", "safe", "scan")

    def __init__(self, extra: Iterable[str] = (), parts: Iterable[str] = DEFAULT_SECRET_PARTS):
        self._parts = tuple(_normal(p) for p in parts)
        #: whether strings are searched for secrets (off with redaction)
        self.scan = bool(self._parts)
        extra = tuple(extra)
        self._patterns: tuple[Any, ...] = ()
        if extra:
            import re  # only when the user gave patterns

            patterns = []
            for pattern in extra:
                try:
                    patterns.append(re.compile(pattern, re.IGNORECASE))
                except (re.error, TypeError) as exc:
                    problem(
                        f"redact_keys: {pattern!r} is not a regular expression ({exc}); skipped"
                    )
            self._patterns = tuple(patterns)
        self._cache: dict[Any, bool] = {}
        #: keys known not to be secret: a call whose keys are all here skips the per-key test
        self.safe: set[Any] = set()
        #: short texts known to hold no secret (the message test: one set lookup)
        self.plain_texts: set[str] = set()

    def is_secret(self, key: Any) -> bool:
        """True when the value under ``key`` must not be written."""
        hit = self._cache.get(key)
        if hit is None:
            text = key if type(key) is str else _str(key)
            norm = _normal(text)
            hit = any(p in norm for p in self._parts) or any(p.search(text) for p in self._patterns)
            if len(self._cache) < 4096:  # keys made up at run time must not grow it forever
                self._cache[key] = hit
                if not hit and key not in _NEVER_SAFE:
                    self.safe.add(key)
        return hit

    def clean(self, keys: dict[Any, Any]) -> bool:
        """True when the values of ``keys`` can be written as they are: numbers, None and
        texts that cannot hold a secret (the fast path's test; the keys are checked
        against ``safe``). A container may hold a secret at any depth: False."""
        scan = self.scan
        for v in keys.values():
            kind = type(v)
            if kind is str:
                if scan and len(v) > 6 and (  # the module's precheck
                    (":" in v and "://" in v)
                    or ("J" in v and "eyJ" in v)
                    or "earer" in v
                    or ("R" in v and "EARER" in v)
                ):
                    return False
            elif kind is not int and kind is not float and kind is not bool and v is not None:
                return False
        return True

    def text(self, text: str) -> str:
        """A string as it may be written (unchanged with redaction off); a short one
        found to hold nothing is remembered (messages are mostly literals)."""
        if not self.scan:
            return text
        clean = scrub_text(text)
        if clean is text and len(text) <= 256 and len(self.plain_texts) < 4096:
            self.plain_texts.add(text)
        return clean

    def value(self, key: Any, value: Any) -> Any:
        """``value`` as it may be written under ``key`` (containers are copied, not changed)."""
        if self.is_secret(key):
            return REDACTED
        return self.nested(value)

    def nested(self, value: Any, depth: int = 0) -> Any:
        """A copy of a dict/list/tuple with secrets replaced, at any depth."""
        kind = type(value)
        if kind is str:
            return scrub_text(value) if self.scan else value
        if kind is int or kind is float or kind is bool or value is None:
            return value
        if depth > 64:  # a cycle or absurd nesting: orjson refuses it anyway
            return _str(value)
        if isinstance(value, dict):  # OrderedDict, defaultdict... too
            return {
                k: REDACTED if self.is_secret(k) else self.nested(v, depth + 1)
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            if (
                len(value) == 2
                and type(value[0]) is str
                and len(value[0]) <= 64
                and self.is_secret(value[0])
            ):  # a (name, value) header pair
                return [value[0], REDACTED]
            return [self.nested(v, depth + 1) for v in value]
        return value

    def merge(self, fields: dict[str, Any], keys: dict[str, Any]) -> None:
        """Add ``keys`` to ``fields``, secrets replaced."""
        secret = self.is_secret
        for k, v in keys.items():
            fields[f"{k}_" if k in RESERVED else k] = REDACTED if secret(k) else self.nested(v)

    def mapping(self, keys: dict[str, Any]) -> dict[str, Any]:
        """A copy of ``keys`` with every value as it may be written."""
        return {(f"{k}_" if k in RESERVED else k): self.value(k, v) for k, v in keys.items()}


def _str(value: Any) -> str:
    try:
        return str(value)
    except Exception:
        return f"<unprintable {type(value).__name__}>"
