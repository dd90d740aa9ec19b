"""A string that does not show itself: the Python stand-in for ``SecureString``."""

from __future__ import annotations

import re

__all__ = ["SecureString", "mask_secret", "mask_key_shapes"]

# OpenAI's keys all start with sk- (sk-proj-, sk-svcacct-, ...): text of that shape is treated as a key.
_KEY_SHAPE = re.compile(r"sk-[A-Za-z0-9_\-]{8,}")


class SecureString:
    """Holds a secret such as an API key.

    ``repr()`` and ``str()`` never reveal it; only :meth:`reveal` does, and only
    the transport calls that, to build the ``Authorization`` header.
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

    The first 6 characters of an ``sk-`` key (3 of any other) and the last 2
    stay; everything between becomes asterisks, at most 45 of them. A key too
    short to keep those ends is masked whole.
    """
    head = 6 if secret.startswith("sk-") else 3
    tail = 2
    if len(secret) <= head + tail:
        return "*" * min(len(secret), 45)
    hidden = len(secret) - head - tail
    return secret[:head] + "*" * min(hidden, 45) + secret[-tail:]


def mask_key_shapes(text: str) -> str:
    """``text`` with anything shaped like an OpenAI key masked, for echoing what a user typed."""
    if "sk-" not in text:
        return text
    return _KEY_SHAPE.sub(lambda match: mask_secret(match.group()), text)
