"""Markers that tie each test to what it translates, and the two kinds of expected failure.

* ``ps_case(source, case)``: the PowerShell test file (path in PowerShell/PowerShell) and the
  ``It`` title of the case; a TestCases row adds its row label in brackets.
* ``cs_rule(source, function)``: a rule confirmed in PowerShell's C# that no PowerShell test
  covers (cases from the issue's list of known disagreements).
* ``differs(reason)``: our binder disagrees with PowerShell; the test asserts PowerShell's
  behaviour.  ``reason`` names what differs and the C# that confirms it.
* ``missing(feature)``: the spec format cannot state the function; the test uses the
  syntax proposed in SPEC_PROPOSALS.md.

No test uses either today (issue 13 fixed D01-D19 and added the F_* features); the constants
stay as the record DISAGREEMENTS.md and SPEC_PROPOSALS.md refer to.
"""

from __future__ import annotations

import pytest

PARSER_PB = "test/powershell/Language/Parser/ParameterBinding.Tests.ps1"
SCRIPTING_PB = "test/powershell/Language/Scripting/ParameterBinding.Tests.ps1"
COMMON = "test/powershell/Language/Scripting/CommonParameters.Tests.ps1"
ENGINE_PB = "test/powershell/engine/ParameterBinding/ParameterBinding.Tests.ps1"
BOOLEAN_DCR = "test/powershell/engine/ParameterBinding/BooleanParameterDCR.Tests.ps1"
NULLABLE_DCR = "test/powershell/engine/ParameterBinding/NullableBooleanDCR.Tests.ps1"
SPLATTING = "test/powershell/engine/ParameterBinding/Splatting.Tests.ps1"
STATIC_BINDER = "test/powershell/engine/ParameterBinding/StaticParameterBinder.Tests.ps1"
VALIDATE = "test/powershell/engine/Basic/ValidateAttributes.Tests.ps1"
DYNAMIC = "test/powershell/Language/Scripting/Dynamicparameters.Tests.ps1"
FOLLOWUP = "test/powershell/Language/Parser/LanguageAndParser.TestFollowup.Tests.ps1"

#: Prefix of every xfail reason for a spec feature that does not exist yet.
MISSING_PREFIX = "spec feature missing: "


def ps_case(source: str, case: str) -> pytest.MarkDecorator:
    return pytest.mark.ps_source(source, case)


def cs_rule(source: str, function: str) -> pytest.MarkDecorator:
    return pytest.mark.cs_source(source, function)


def proposal(feature: str, source: str) -> pytest.MarkDecorator:
    """A case of a spec feature proposed in SPEC_PROPOSALS.md; ``source`` is the C# that defines it."""
    return pytest.mark.spec_proposal(feature, source)


def differs(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=reason)


def missing(feature: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=MISSING_PREFIX + feature)


# --- why a test is expected to fail today (one constant per disagreement; see DISAGREEMENTS.md) ---

D01_NULL = (
    "D01: a mandatory parameter given null fails with error id ParameterArgumentValidationErrorNullNotAllowed, "
    "not ParameterArgumentValidationError (ParameterBinderBase.cs, ValidateNullOrEmptyArgument)"
)
D01_EMPTY_STRING = (
    "D01: a mandatory parameter given '' fails with error id ParameterArgumentValidationErrorEmptyStringNotAllowed "
    "(ParameterBinderBase.cs, ValidateNullOrEmptyArgument)"
)
D01_EMPTY_ARRAY = (
    "D01: a mandatory array parameter given @() fails with error id "
    "ParameterArgumentValidationErrorEmptyArrayNotAllowed "
    "(ParameterBinderBase.cs, ValidateNullOrEmptyArgument)"
)
D01_ELEMENTS = (
    "D01: the mandatory check recurses into a collection's elements ('a','' fails for a mandatory [string[]]) "
    "(ParameterBinderBase.cs, ValidateNullOrEmptyArgument, recurseIntoCollections)"
)
D02_TOKEN_TEXT = (
    "D02: a numeric literal bound to [string] keeps its token text "
    "(LanguagePrimitives.cs, ConvertNumericToString returns PSObject.TokenText)"
)
D03_DASH_VALUE = (
    "D03: after a parameter that needs a value, '-word' is MissingArgument only when it names a parameter; "
    "otherwise it is the value (ParameterBinderController.cs, ReparseUnboundArguments)"
)
D03_AMBIGUOUS = (
    "D03: after a parameter that needs a value, an ambiguous '-prefix' is AmbiguousParameter "
    "(ParameterBinderController.cs, ReparseUnboundArguments -> MergedCommandParameterMetadata.GetMatchingParameter)"
)
D04_NOT_NULL_ELEMENTS = (
    "D04: ValidateNotNull refuses a null element of a collection "
    "(Attributes.cs, ValidateNotNullAttribute.Validate, ValidateNotNullCollectionFailure)"
)
D04_LENGTH_NOT_STRING = (
    "D04: ValidateLength refuses a value that is not a string (Attributes.cs, ValidateLengthAttribute.ValidateElement, "
    "ValidateLengthNotString)"
)
D04_COUNT_STRING = (
    "D04: ValidateCount counts the characters of a string argument "
    "(Attributes.cs, ValidateCountAttribute.Validate: a string is IEnumerable)"
)
D04_RANGE_CONVERTS = (
    "D04: ValidateRange converts the value to the range's type before comparing "
    "(Attributes.cs, ValidateRangeAttribute.ValidateRange(object): LanguagePrimitives.TryConvertTo)"
)
D05_SWITCH_NULL = (
    "D05: -Switch:$null binds False for an advanced function "
    "(ArgumentTypeConverterAttribute.cs, Transform: CheckBoolValue lets null through for SwitchParameter, "
    "LanguagePrimitives.ConvertTo(null, SwitchParameter) is default(SwitchParameter))"
)
D06_STRING_TO_INT = (
    "D06: string to integer goes through PowerShell's number parser, then through double "
    "(LanguagePrimitives.cs, ConvertStringToInteger -> Parser.ScanNumber, ConvertNumericThroughDouble)"
)
D07_POSITIONAL_FINAL = (
    "D07: a conversion failure while binding a positional argument is thrown at once "
    "(ParameterBinderController.cs, BindPositionalParametersInSet rethrows "
    "ParameterBindingArgumentTransformationException)"
)
D08_UNKNOWN_LAST = (
    "D08: an unknown parameter name is reported after conversion, ParameterAlreadyBound and set errors "
    "(CmdletParameterBinderController.cs, BindCommandLineParametersNoValidation -> VerifyArgumentsProcessed)"
)
D09_HASHTABLE = (
    "D09: a hashtable written in a PowerShell line has no properties for ByPropertyName binding "
    "(CmdletParameterBinderController.cs, BindValueFromPipelineByPropertyName reads PSObject.Properties)"
)
D09_SCALAR_PROPERTIES = (
    "D09: a plain value has properties: a string's Length binds ByPropertyName "
    "(CmdletParameterBinderController.cs, BindValueFromPipelineByPropertyName reads PSObject.Properties)"
)
D10_DOUBLE_TEXT = (
    "D10: a double converts to string with 15 significant digits ('G15') "
    "(LanguagePrimitives.cs, ConvertNumericToString, DoublePrecision)"
)
D11_SHARED_POSITION = (
    "D11: two parameters may share a position in one set; only binding a positional argument then fails, "
    "AmbiguousPositionalParameterNoName (ParameterBinderController.cs, BindPositionalParameters, "
    "EvaluateUnboundPositionalParameters/AddNewPosition)"
)
D12_TOO_MANY_SETS = (
    "D12: more than 32 parameter sets are refused, ParsingTooManyParameterSets "
    "(MergedCommandParameterMetadata.cs, AddParameterSetToMap, MaxParameterSetCount = 32)"
)
D12_NEGATIVE_COUNT = (
    "D12: ValidateCount refuses a negative minimum or a maximum of 0 or less "
    "(Attributes.cs, ValidateCountAttribute constructor)"
)
D13_TYPED_ARRAY = (
    "D13: a value that already has the array type binds as it is, without walking its elements "
    "(ParameterBinderBase.cs, CoerceTypeAsNeeded: toType.IsAssignableFrom(argumentType))"
)
D14_RANGE_TYPE_NAME = (
    "D14: the ValidateRange element-type message names the .NET type of the argument ('String', not 'str') "
    "(Attributes.cs, ValidateRangeAttribute.ValidateRange: element.GetType().Name)"
)
D15_COUNT_SCALAR = (
    "D15: ValidateCount refuses a value that is neither a collection nor enumerable "
    "(Attributes.cs, ValidateCountAttribute.Validate, NotAnArrayParameter)"
)
D16_ALREADY_BOUND_NAME = (
    "D16: ParameterAlreadyBound names the parameter as typed when its value was attached with ':' "
    "(ParameterBinderController.cs, BindNamedParameters uses argument.ParameterName)"
)
D12_LENGTH_BOUNDS = (
    "D12: ValidateLength refuses a negative minimum or a maximum of 0 or less "
    "(Attributes.cs, ValidateLengthAttribute constructor)"
)
D17_UNTYPED_EMPTY = (
    "D17: the mandatory empty-collection check applies only when the declared type is an array or list; "
    "an untyped (object) mandatory parameter takes @() (ParameterBinderBase.cs, ValidateNullOrEmptyArgument: "
    "ParameterCollectionTypeInformation(object) is NotCollection)"
)
D18_ENCODE_WITHOUT_COERCION = (
    "D18: without coercion, a value of the element type binds to an array parameter as a one-element array, "
    "so that parameter wins the no-coercion pass (ParameterBinderBase.cs, ShouldContinueUncoercedBind -> "
    "EncodeCollection)"
)
D19_BOOL_NULL_TEXT = (
    "D19: $null for a [bool] parameter is worded 'Cannot convert value \"\" to type \"System.Boolean\"' "
    "(ArgumentTypeConverterAttribute.cs, CheckBoolValue -> ThrowPSInvalidBooleanArgumentCastException(null, ...), "
    "ExtendedTypeSystem.resx InvalidCastExceptionForBooleanArgumentValue)"
)


# --- spec features proposed in SPEC_PROPOSALS.md (the text after MISSING_PREFIX in xfail reasons) ---

F_REMAINING = "ValueFromRemainingArguments (remaining_arguments: true)"
F_REMAINING_ARGS = "ValueFromRemainingArguments ($args of a simple function, remaining_arguments: true)"
F_WHITE_SPACE = "ValidateNotNullOrWhiteSpace (validate: {not_null_or_white_space: true})"
F_RANGE_KINDS = "ValidateRange kinds (validate: {range: Positive | NonNegative | Negative | NonPositive})"
F_ENUM_VALUES = "enums with numeric values and [Flags] (enums: {Name: {flags: true, values: {...}}})"


def f_type(name: str) -> str:
    return f"types kept as declared ({name})"
