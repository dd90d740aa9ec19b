"""Secrets: the ``SecureString`` that holds a key, and the one redactor that hides keys in text.

Every place that shows text which may carry a key (request logging, error excerpts from a
server's answer, the command line's echo of what a user typed, reprs) goes through a
:class:`Redactor`.  It masks three things: the secrets it was given (the configured key, header
values marked sensitive), the token after ``Bearer``, and anything shaped like an OpenAI key
(``sk-`` and 8 or more key characters), with :func:`mask_secret`'s mask.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["SecureString", "Redactor", "mask_secret", "mask_key_shapes", "SHAPES", "MIN_SEARCHED", "MIN_WITH_ENDS"]

# OpenAI's keys all start with sk- (sk-proj-, sk-svcacct-, ...): text of that shape is treated as a key.
_KEY_SHAPE = re.compile(r"sk-[A-Za-z0-9_\-]{8,}")
_BEARER = re.compile(r"(Bearer\s+)([^\s,;'\"]+)", re.IGNORECASE)
#: Secrets shorter than this are not searched for in text: masking every "a" would mangle it.
MIN_SEARCHED = 3
#: A secret shorter than this is masked whole: keeping its ends would show most of it.
MIN_WITH_ENDS = 16


class SecureString:
    """Holds a secret such as an API key.

    ``repr()`` and ``str()`` never reveal it; only :meth:`reveal` does, and only the transport
    calls that, to write the ``Authorization`` header.
    """

    __slots__ = ("__secret",)

    def __init__(self, secret: str) -> None:
        if not isinstance(secret, str):
            raise TypeError("SecureString takes a str")
        self.__secret = secret

    def reveal(self) -> str:
        """The secret itself. Keep it out of messages and logs."""
        return self.__secret

    def __len__(self) -> int:
        return len(self.__secret)

    def __bool__(self) -> bool:
        return bool(self.__secret)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SecureString):
            return self.__secret == other.__secret
        return NotImplemented

    def __hash__(self) -> int:
        return hash((SecureString, self.__secret))

    def __repr__(self) -> str:
        return "SecureString('********')"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the secret in clear; refuse rather than leak it.
        raise TypeError("a SecureString cannot be pickled")


def mask_secret(secret: str) -> str:
    """The masked form PSOpenAI prints in verbose and debug output.

    The first 6 characters of an ``sk-`` key (3 of any other) and the last 2 stay; everything
    between becomes asterisks, at most 45 of them.  A secret shorter than :data:`MIN_WITH_ENDS`
    characters (no real key is) is masked whole, so a mask never shows most of a key.
    """
    head = 6 if secret.startswith("sk-") else 3
    tail = 2
    if len(secret) < MIN_WITH_ENDS:
        return "*" * min(len(secret), 45)
    hidden = len(secret) - head - tail
    return secret[:head] + "*" * min(hidden, 45) + secret[-tail:]


def _mask_token(match: re.Match[str]) -> str:
    token = match.group(2)
    return match.group(1) + (token if "*" in token else mask_secret(token))  # "*": masked already


class Redactor:
    """Masks known secrets, bearer tokens and key-shaped text in text and in JSON-like data.

    Immutable: :meth:`with_secrets` gives a new redactor that knows more secrets.
    """

    __slots__ = ("_secrets", "_made")

    def __init__(self, secrets: Iterable[str | SecureString | None] = ()) -> None:
        # kept as given (SecureStrings stay secure) and prepared on first use: most calls never
        # redact anything, and a redactor is made for each of them
        self._secrets = tuple(secrets)
        self._made: tuple[str, ...] | None = None

    @property
    def _plain(self) -> tuple[str, ...]:
        """The secrets in clear, longest first (their masks are made only when one is found)."""
        if self._made is None:
            plain = {s.reveal() if isinstance(s, SecureString) else s for s in self._secrets}
            found = [s for s in plain if isinstance(s, str) and len(s) >= MIN_SEARCHED]
            if len(found) > 1:
                found.sort(key=len, reverse=True)
            self._made = tuple(found)
        return self._made

    def with_secrets(self, *secrets: str | SecureString | None) -> Redactor:
        """A redactor that also masks ``secrets``."""
        return Redactor([*self._secrets, *secrets])

    def __repr__(self) -> str:
        return f"Redactor(<{len(self._plain)} secrets>)"

    def text(self, text: str) -> str:
        """``text`` with every secret, bearer token and key-shaped word masked."""
        for secret in self._plain:
            if secret in text:
                text = text.replace(secret, mask_secret(secret))
        if "earer" in text or "EARER" in text:
            text = _BEARER.sub(_mask_token, text)
        if "sk-" in text:
            text = _KEY_SHAPE.sub(lambda match: mask_secret(match.group()), text)
        return text

    __call__ = text

    def masked(self, secret: SecureString | str) -> str:
        """A secret value as it may be shown: redacted, and masked whole if redacting left it as it was."""
        clear = secret.reveal() if isinstance(secret, SecureString) else secret
        shown = self.text(clear)
        return mask_secret(clear) if shown == clear else shown

    def data(self, value: Any) -> Any:
        """JSON-like data (dicts, lists, strings) with every string redacted."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.data(k): self.data(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.data(v) for v in value]
        return value


#: A redactor that knows no particular secret: bearer tokens and key-shaped text only.
SHAPES = Redactor()


def mask_key_shapes(text: str) -> str:
    """``text`` with bearer tokens and anything shaped like an OpenAI key masked."""
    return SHAPES.text(text)
