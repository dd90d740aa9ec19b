"""Every exception of the package, in one tree.

::

    PSOpenAIError                       anything this package raises on purpose
    ├── SpecError                       a spec file is malformed
    ├── CommandNotFoundError            no cmdlet of that name
    ├── LineSyntaxError                 a PowerShell line could not be read
    ├── ParameterBindingError           a call did not bind (error_id says how)
    ├── UsageError                      a bad word or option on the command line
    ├── InputFormatError                standard input held something unreadable
    ├── ActionPreferenceStopError       a warning under -WarningAction Stop
    ├── WaitTimeoutError                a wait for a status outlasted its time limit
    ├── ConfigurationError              something needed before a request is missing or bad
    │   └── MissingValueError           ... for one call or record only (an id its path needs)
    └── APIError                        the API answered with an error, or did not answer
        ├── APIRequestError             an error status (status_code, request_id, error_*)
        │   ├── BadRequestError             400
        │   │   └── ContentFilteredError    400 with error.code content_filter
        │   ├── UnauthorizedError           401
        │   ├── NotFoundError               404
        │   └── RateLimitExceededError      429
        │       └── QuotaLimitExceededError 429 about quota
        ├── APIConnectionError          no (complete) answer came
        │   └── APITimeoutError         ... within -TimeoutSec
        ├── ResponseFormatError         an answer this package cannot read
        ├── StreamError                 an event stream reported an error
        └── PaginationError             a listing that did not advance, or ran past the brake

Each carries its facts as attributes (parameter, status, request id) so callers never parse
messages, and none holds an API key: messages are built from names, types and short token text,
and text that came from a server passes the redactor first.  Every exception survives ``pickle``,
``copy`` and ``deepcopy`` with its attributes (a worker process can raise one to its pool).

Two internal signals sit beside the tree: :class:`ConversionFailure` and
:class:`ValidationFailure` carry PowerShell's explanation from a type or a validator to the
binder, which turns them into a :class:`ParameterBindingError`; they never reach a caller.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "PSOpenAIError",
    "SpecError",
    "CommandNotFoundError",
    "LineSyntaxError",
    "ParameterBindingError",
    "BINDING_ERROR_IDS",
    "VALIDATION_ERROR_IDS",
    "UsageError",
    "InputFormatError",
    "ActionPreferenceStopError",
    "ConfigurationError",
    "MissingValueError",
    "APIError",
    "APIRequestError",
    "BadRequestError",
    "ContentFilteredError",
    "UnauthorizedError",
    "NotFoundError",
    "RateLimitExceededError",
    "QuotaLimitExceededError",
    "APIConnectionError",
    "APITimeoutError",
    "ResponseFormatError",
    "PaginationError",
    "StreamError",
    "WaitTimeoutError",
    "ConversionFailure",
    "ValidationFailure",
]


def _rebuild(cls: type[BaseException], state: dict[str, Any]) -> BaseException:
    error = cls.__new__(cls)
    BaseException.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class PSOpenAIError(Exception):
    """Base class of every error this package raises on purpose."""

    #: PowerShell-style error id, where one applies.
    error_id: str = "PSOpenAIError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def reword(self, message: str) -> None:
        """Change the message (``str()``, ``args`` and ``message`` alike), e.g. to add a hint."""
        self.message = message
        self.args = (message,)

    def __reduce__(self) -> tuple[Any, ...]:
        # The attributes are keyword-only in most subclasses, so rebuild from the state instead of
        # calling __init__ with args (the default, which fails for them).
        return (_rebuild, (type(self), dict(self.__dict__)))


class SpecError(PSOpenAIError):
    """A cmdlet spec file is malformed.

    ``file``, ``parameter`` and ``field`` locate the problem (any may be None when it does not
    apply); ``reason`` is the bare explanation.
    """

    error_id = "SpecError"

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        parameter: str | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.parameter = parameter
        self.field = field
        where = []
        if file:
            where.append(str(file))
        if parameter:
            where.append(f"parameter '{parameter}'")
        if field:
            where.append(f"field '{field}'")
        prefix = ": ".join(where)
        super().__init__(f"{prefix}: {reason}" if prefix else reason)

    def located(self, file: str) -> SpecError:
        """The same error, with the spec file named (kept if already set)."""
        if self.file:
            return self
        return SpecError(self.reason, file=file, parameter=self.parameter, field=self.field)


class CommandNotFoundError(PSOpenAIError):
    """No cmdlet of that name is registered."""

    error_id = "CommandNotFoundException"

    def __init__(self, name: str, detail: str | None = None, *, suggestion: str | None = None) -> None:
        self.name = name
        self.detail = detail
        #: The closest cmdlet name, when one is close.
        self.suggestion = suggestion
        message = (
            f"The term '{name}' is not recognized as a name of a cmdlet, function, "
            "script file, or executable program. Check the spelling of the name, "
            "or if a path was included, verify that the path is correct and try again."
        )
        if detail:
            message += f" ({detail})"
        if suggestion:
            message += f" Did you mean {suggestion}?"
        super().__init__(message)


class LineSyntaxError(PSOpenAIError):
    """A PowerShell command line could not be read.

    ``construct`` names what was found (never the content of a string, which may be a secret)
    and ``column`` is 1-based.
    """

    error_id = "ParseError"

    def __init__(self, reason: str, *, construct: str, column: int) -> None:
        self.reason = reason
        self.construct = construct
        self.column = column
        super().__init__(f"At column {column}: {reason}")


#: The only error ids a ParameterBindingError can carry (PowerShell's FullyQualifiedErrorId).
BINDING_ERROR_IDS = frozenset(
    {
        "NamedParameterNotFound",
        "AmbiguousParameter",
        "MissingArgument",
        "ParameterAlreadyBound",
        "PositionalParameterNotFound",
        "AmbiguousPositionalParameterNoName",
        "AmbiguousParameterSet",
        "MissingMandatoryParameter",
        "InputObjectNotBound",
        "ParameterArgumentTransformationError",
        "ParameterArgumentValidationError",
        "ParameterArgumentValidationErrorNullNotAllowed",
        "ParameterArgumentValidationErrorEmptyStringNotAllowed",
        "ParameterArgumentValidationErrorEmptyArrayNotAllowed",
        "ParameterArgumentValidationErrorEmptyCollectionNotAllowed",
    }
)

#: The inner error ids of a ParameterArgumentValidationError: which validator refused, and why
#: (PowerShell's ValidationMetadataException ids, shown after the colon in ``Outer:Inner``).
VALIDATION_ERROR_IDS = frozenset(
    {
        "ArgumentIsNull",
        "ArgumentIsEmpty",
        "ArgumentIsEmptyOrWhiteSpace",
        "ArgumentCollectionContainsEmpty",
        "ArgumentCollectionContainsEmptyOrWhiteSpace",
        "ValidateSetFailure",
        "ValidatePatternFailure",
        "ValidateLengthNotString",
        "ValidateLengthMinLengthFailure",
        "ValidateLengthMaxLengthFailure",
        "NotAnArrayParameter",
        "ValidateCountExactFailure",
        "ValidateCountMinMaxFailure",
        "ValidationRangeElementType",
        "ValidateRangeTooSmall",
        "ValidateRangeTooBig",
        "ValidateRangePositiveFailure",
        "ValidateRangeNonNegativeFailure",
        "ValidateRangeNegativeFailure",
        "ValidateRangeNonPositiveFailure",
        "ObjectIdNotReadable",
        "PropertyMissing",
    }
)


class ParameterBindingError(PSOpenAIError):
    """A call could not be bound to the cmdlet's parameters.

    ``error_id`` is one of :data:`BINDING_ERROR_IDS`; ``inner_error_id`` (one of
    :data:`VALIDATION_ERROR_IDS`, or None) says which validation failed.  ``parameter_name`` is
    the canonical parameter name, or the name as typed when nothing matched, or None when no
    single parameter is at fault.  ``missing`` lists missing mandatory parameters;
    ``parameters`` the parameters an AmbiguousParameterSet is about; ``suggestion`` the
    parameter a misspelled name most likely meant.
    """

    def __init__(
        self,
        error_id: str,
        message: str,
        *,
        command_name: str,
        parameter_name: str | None = None,
        missing: tuple[str, ...] = (),
        inner_error_id: str | None = None,
        parameters: tuple[str, ...] = (),
        suggestion: str | None = None,
    ) -> None:
        if error_id not in BINDING_ERROR_IDS:
            raise ValueError(f"unknown binding error id {error_id!r}")
        if inner_error_id is not None and inner_error_id not in VALIDATION_ERROR_IDS:
            raise ValueError(f"unknown validation error id {inner_error_id!r}")
        self.error_id = error_id
        self.inner_error_id = inner_error_id
        self.command_name = command_name
        self.parameter_name = parameter_name
        self.missing = missing
        self.parameters = parameters
        self.suggestion = suggestion
        super().__init__(message)

    @property
    def fully_qualified_error_id(self) -> str:
        """PowerShell's ``Outer:Inner`` form (``ParameterArgumentValidationError:ValidateLengthNotString``)."""
        return f"{self.error_id}:{self.inner_error_id}" if self.inner_error_id else self.error_id

    def __repr__(self) -> str:
        return (
            f"ParameterBindingError(error_id={self.error_id!r}, "
            f"parameter_name={self.parameter_name!r}, message={self.message!r})"
        )


class UsageError(PSOpenAIError):
    """A bad tool option or argument word on the command line; ``where`` prefixes the message."""

    error_id = "UsageError"

    def __init__(self, message: str, where: str = "pyopenai-ps") -> None:
        self.where = where
        super().__init__(message)


class InputFormatError(PSOpenAIError):
    """Standard input held something that is neither JSON nor a plain line."""

    error_id = "InputFormatError"


class ActionPreferenceStopError(PSOpenAIError):
    """A warning under ``-WarningAction Stop``."""

    error_id = "ActionPreferenceStop"


class ConfigurationError(PSOpenAIError):
    """Something needed for a request is missing or invalid (no API key, a bad header)."""

    error_id = "ConfigurationError"

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        self.setting = setting
        super().__init__(message)


class MissingValueError(ConfigurationError):
    """A request of one call (one pipeline record) lacks a value, such as an id its path needs.

    Unlike the other configuration errors it concerns that call only, so ``-ErrorAction
    Continue`` goes on with the next record.
    """

    error_id = "MissingValue"


# --- what came from the API ----------------------------------------------------------------


class APIError(PSOpenAIError):
    """The API answered with an error, answered something unreadable, or did not answer.

    ``hint``, when set, is what to try next (also the end of the message): the retry parameter
    after a 429, the API base and where it came from after a failed connection.
    """

    error_id = "APIError"
    hint: str | None = None


class APIRequestError(APIError):
    """The API answered with an error status."""

    error_id = "APIRequestError"

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        reason: str = "",
        error_type: str | None = None,
        error_code: str | None = None,
        error_param: str | None = None,
        error_message: str | None = None,
        request_id: str | None = None,
        body: Any = None,
    ) -> None:
        self.status_code = status_code
        self.reason = reason
        self.error_type = error_type
        self.error_code = error_code
        self.error_param = error_param
        self.error_message = error_message
        self.request_id = request_id
        self.body = body
        super().__init__(message)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status_code={self.status_code!r}, "
            f"error_code={self.error_code!r}, request_id={self.request_id!r})"
        )


class BadRequestError(APIRequestError):
    error_id = "BadRequest"


class ContentFilteredError(BadRequestError):
    error_id = "ContentFiltered"


class UnauthorizedError(APIRequestError):
    error_id = "Unauthorized"


class NotFoundError(APIRequestError):
    error_id = "NotFound"


class RateLimitExceededError(APIRequestError):
    error_id = "RateLimitExceeded"


class QuotaLimitExceededError(RateLimitExceededError):
    error_id = "QuotaLimitExceeded"


class APIConnectionError(APIError):
    """The request never got a (complete) answer: refused, reset or dropped connection.

    ``url`` is the URL tried (without any credentials), ``reason`` why in a few words
    ("connection refused", "name not resolved: ...", "TLS certificate not trusted: ..."), and
    ``connected`` False when no connection was made at all (a wrong address, port, name or
    certificate), True when an answer was cut short.
    """

    error_id = "APIConnectionError"

    def __init__(self, message: str, *, url: str | None = None, reason: str | None = None,
                 connected: bool = True) -> None:
        self.url = url
        self.reason = reason
        self.connected = connected
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """The request took longer than ``-TimeoutSec``."""

    error_id = "APITimeoutError"

    def __init__(self, message: str, *, url: str | None = None, timeout: float | None = None,
                 reason: str | None = None) -> None:
        self.timeout = timeout
        super().__init__(message, url=url, reason=reason)


class ResponseFormatError(APIError):
    """The server answered with a body this package cannot read."""

    error_id = "ResponseFormatError"

    def __init__(self, message: str, *, status_code: int | None = None, request_id: str | None = None) -> None:
        self.status_code = status_code
        self.request_id = request_id
        super().__init__(message)


class PaginationError(APIError):
    """A listing did not advance (a repeated cursor or page), or ran past the listing brake; it
    stopped instead of looping or yielding anything twice."""

    error_id = "PaginationError"

    def __init__(self, message: str, *, cursor: str | None = None) -> None:
        self.cursor = cursor
        super().__init__(message)


class StreamError(APIError):
    """An event stream sent an ``error`` event (after the pieces already output)."""

    error_id = "StreamError"

    def __init__(self, message: str, *, error_code: str | None = None, event: str | None = None) -> None:
        self.error_code = error_code
        self.event = event
        super().__init__(message)


class WaitTimeoutError(PSOpenAIError):
    """A wait for an object's status ended at its time limit; ``status`` is the last one seen."""

    error_id = "WaitTimeout"

    def __init__(self, message: str, *, object_id: str | None = None, status: str | None = None,
                 waited: float | None = None) -> None:
        self.object_id = object_id
        self.status = status
        self.waited = waited
        super().__init__(message)


# --- internal signals ----------------------------------------------------------------------


class ConversionFailure(Exception):
    """A value does not convert to a parameter's type; ``detail`` is PowerShell's explanation."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ValidationFailure(Exception):
    """A value fails a validator; ``detail`` is PowerShell's explanation, ``error_id`` its inner id."""

    def __init__(self, detail: str, error_id: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.error_id = error_id
