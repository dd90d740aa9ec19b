"""Every case found in the PowerShell test files translated here, and those the spec cannot state.

A *case* is one ``It`` block, or one row of an ``It`` with ``-TestCases``.  ``FOUND`` counts
them per file (read from PowerShell/PowerShell at commit 929903692e55).  The expressible
cases are the tests marked ``ps_source`` in this folder; the others are listed in
``NOT_EXPRESSIBLE`` with the feature the spec format (or the package) lacks.  ``PARTS_LEFT_OUT``
lists pieces of expressible cases that were left out, and why.

NOT_EXPRESSIBLE.md is written from this module (``python -m powershell_suite.catalog`` from
``tests/binding``); the test ``test_catalog.py`` keeps the two in step.
"""

from __future__ import annotations

from typing import NamedTuple

from .marks import (
    BOOLEAN_DCR,
    COMMON,
    DYNAMIC,
    ENGINE_PB,
    FOLLOWUP,
    NULLABLE_DCR,
    PARSER_PB,
    SCRIPTING_PB,
    SPLATTING,
    STATIC_BINDER,
    VALIDATE,
)

#: Cases found per file.  FOLLOWUP: only its binding Describe ("Multiple alias attributes").
FOUND: dict[str, int] = {
    PARSER_PB: 32,  # 12 It + 2 It x 10 rows
    SCRIPTING_PB: 40,
    COMMON: 22,
    ENGINE_PB: 25,  # 23 It + 1 It x 2 rows
    BOOLEAN_DCR: 8,  # 4 rows + 3 rows + 1 It
    NULLABLE_DCR: 24,  # 3 It x 8 rows
    SPLATTING: 11,
    STATIC_BINDER: 10,  # 1 It x 10 rows
    VALIDATE: 63,
    DYNAMIC: 5,
    FOLLOWUP: 1,
}


class NotExpressible(NamedTuple):
    source: str
    case: str
    missing: str


# Features the spec format or the package lacks (used in several entries).
TRANSFORM_ATTRIBUTE = "custom ArgumentTransformationAttribute (code that rewrites the argument, run even for $null)"
COMPILED_CMDLET = "a compiled C# cmdlet defined by the test (Add-Type)"
CLR_TYPES = ".NET types with property-setting conversions (FileInfo, ProcessStartInfo) and language modes"
PROMPTING = "prompting for missing mandatory parameters through an interactive host"
SIMPLE_FUNCTION = "binding rules of a simple (non-advanced) function, which differ from an advanced function's"
ERROR_MESSAGE = "a custom ErrorMessage on a validation attribute"
VALIDATE_SCRIPT = "ValidateScript (a script block run per value)"
SHOULD_PROCESS = "SupportsShouldProcess (-WhatIf/-Confirm) and ConfirmImpact"
DYNAMIC_PARAMETERS = "dynamic parameters (a dynamicparam block or a provider's dynamic parameters)"
DELAY_BIND = "delay-bind script block arguments (-Param {$_} with pipeline input)"
SCRIPT_DEFAULTS = "a default value computed from an expression ($PSScriptRoot) when the command runs"
SPLAT_WITH_EXPLICIT = (
    "splatting together with explicit arguments (an explicit -Name wins over the splatted one): the line reader "
    "refuses @hash and Python keywords are a single mapping"
)
HOST_API = "PowerShell's hosting API (ScriptBlock.GetPowerShell, steppable pipelines, runspaces)"
GENERIC_COLLECTIONS = "generic collection parameter types (List[byte], Collection[byte])"
SCRIPT_BLOCK_ARGUMENT = "a script block literal as an argument (the line reader refuses { ... })"
COMPILED_PIPELINE_VARIABLE = "another cmdlet's -PipelineVariable at run time (ForEach-Object)"
ENUMERATOR_STATE = ".NET enumerator objects passed as arguments to a script block's $args"
COM_OBJECTS = "COM objects (Windows only)"

NOT_EXPRESSIBLE: list[NotExpressible] = [
    # --- Language/Parser/ParameterBinding.Tests.ps1 ---
    NotExpressible(PARSER_PB, "There was no error importing the in-memory module", COMPILED_CMDLET),
    NotExpressible(PARSER_PB, "Script function takes object", TRANSFORM_ATTRIBUTE),
    NotExpressible(PARSER_PB, "Script function takes uint64", TRANSFORM_ATTRIBUTE),
    NotExpressible(PARSER_PB, "csharp cmdlet takes object", TRANSFORM_ATTRIBUTE + "; " + COMPILED_CMDLET),
    NotExpressible(PARSER_PB, "csharp cmdlet takes uint64", TRANSFORM_ATTRIBUTE + "; " + COMPILED_CMDLET),
    NotExpressible(PARSER_PB, "script function takes object when parameter is null", TRANSFORM_ATTRIBUTE),
    NotExpressible(PARSER_PB, "script function takes unit64 when parameter is null", TRANSFORM_ATTRIBUTE),
    NotExpressible(PARSER_PB, "script csharp cmdlet takes object when parameter is null",
                   TRANSFORM_ATTRIBUTE + "; " + COMPILED_CMDLET),
    NotExpressible(PARSER_PB, "script csharp cmdlet takes uint64 when parameter is null",
                   TRANSFORM_ATTRIBUTE + "; " + COMPILED_CMDLET),
    NotExpressible(PARSER_PB, "Custom type conversion in parameter binding is allowed in FullLanguage", CLR_TYPES),
    NotExpressible(PARSER_PB, "Some custom type conversion in parameter binding is allowed for trusted cmdlets in "
                   "ConstrainedLanguage", CLR_TYPES),
    NotExpressible(PARSER_PB, "Custom type conversion in parameter binding is NOT allowed for untrusted cmdlets in "
                   "ConstrainedLanguage", CLR_TYPES),
    # --- Language/Scripting/ParameterBinding.Tests.ps1 ---
    NotExpressible(SCRIPTING_PB, "Mandatory parameters used in interactive host", PROMPTING),
    NotExpressible(SCRIPTING_PB, "Binding array of string to array of bool should succeed", SIMPLE_FUNCTION),
    NotExpressible(SCRIPTING_PB, "ValidateScript can use custom ErrorMessage", VALIDATE_SCRIPT + "; " + ERROR_MESSAGE),
    NotExpressible(SCRIPTING_PB, "ValidatePattern can use custom ErrorMessage", ERROR_MESSAGE),
    NotExpressible(SCRIPTING_PB, "ValidateSet can use custom ErrorMessage", ERROR_MESSAGE),
    NotExpressible(SCRIPTING_PB, "Some conversions should be attempted before trying to encode a collection",
                   COMPILED_CMDLET + " with a custom collection type (skipped on CoreCLR by PowerShell too)"),
    NotExpressible(SCRIPTING_PB, "Parameter pasing is consuming enumerators", ENUMERATOR_STATE),
    # --- Language/Scripting/CommonParameters.Tests.ps1 ---
    NotExpressible(COMMON, "SupportShouldprocess", SHOULD_PROCESS),
    NotExpressible(COMMON, "shouldprocess support -whatif", SHOULD_PROCESS),
    NotExpressible(COMMON, "shouldprocess support -confirm under the non-interactive host", SHOULD_PROCESS),
    NotExpressible(COMMON, "confirmimpact support: none / get-foo", SHOULD_PROCESS),
    NotExpressible(COMMON, "confirmimpact support: none / get-foo -confirm", SHOULD_PROCESS),
    NotExpressible(COMMON, "confirmimpact support: low / get-foo", SHOULD_PROCESS),
    NotExpressible(COMMON, "confirmimpact support: low / get-foo -confirm", SHOULD_PROCESS),
    NotExpressible(COMMON, "confirmimpact support: Medium / get-foo", SHOULD_PROCESS),
    NotExpressible(COMMON, "confirmimpact support: Medium / get-foo -confirm", SHOULD_PROCESS),
    NotExpressible(COMMON, "confirmimpact support: High / get-foo", SHOULD_PROCESS),
    NotExpressible(COMMON, "confirmimpact support: High / get-foo -confirm", SHOULD_PROCESS),
    # --- engine/ParameterBinding/ParameterBinding.Tests.ps1 ---
    NotExpressible(ENGINE_PB, "Verify that WhatIf is available when SupportShouldProcess is true", SHOULD_PROCESS),
    NotExpressible(ENGINE_PB, "Verify that a ScriptBlock object can be delay-bound to a parameter of type FileInfo "
                   "with pipeline input", DELAY_BIND + "; " + CLR_TYPES),
    NotExpressible(ENGINE_PB, "PipelineVariable shouldn't cause a NullRef exception when 'DynamicParam' block is "
                   "present", DYNAMIC_PARAMETERS),
    NotExpressible(ENGINE_PB, "Dynamic parameter is found even if globbed path does not exist", DYNAMIC_PARAMETERS),
    NotExpressible(ENGINE_PB, "should set the pipeline variable every time for a <CmdletType> [Compiled Cmdlet]",
                   COMPILED_PIPELINE_VARIABLE),
    NotExpressible(ENGINE_PB, "Test dot-source should evaluate '$PSScriptRoot' for parameter default value",
                   SCRIPT_DEFAULTS),
    NotExpressible(ENGINE_PB, "Test 'powershell -File' should evaluate '$PSScriptRoot' for parameter default value",
                   SCRIPT_DEFAULTS),
    # --- engine/ParameterBinding/Splatting.Tests.ps1 ---
    NotExpressible(SPLATTING, "works on ScriptBlock.GetPowerShell", HOST_API),
    NotExpressible(SPLATTING, "works on steppable pipeline", HOST_API),
    NotExpressible(SPLATTING, "works with the same parameter name", SPLAT_WITH_EXPLICIT),
    NotExpressible(SPLATTING, "works with the same alias name", SPLAT_WITH_EXPLICIT),
    NotExpressible(SPLATTING, "works with parameter name and alias name mixed", SPLAT_WITH_EXPLICIT),
    NotExpressible(SPLATTING, "works with unambiguous prefix and parameter name mixed - prefix explicitly specified",
                   SPLAT_WITH_EXPLICIT),
    NotExpressible(SPLATTING, "works with unambiguous prefix and parameter name mixed - prefix in splatting "
                   "hashtable", SPLAT_WITH_EXPLICIT),
    NotExpressible(SPLATTING, "works with unambiguous prefix and alias name mixed - prefix explicitly specified",
                   SPLAT_WITH_EXPLICIT),
    NotExpressible(SPLATTING, "works with unambiguous prefix and alias name mixed - prefix in splatting hashtable",
                   SPLAT_WITH_EXPLICIT),
    # --- engine/ParameterBinding/StaticParameterBinder.Tests.ps1 ---
    NotExpressible(STATIC_BINDER, "<Description>: '<Source>' [script block value: 'Get-Alias {abc}']",
                   SCRIPT_BLOCK_ARGUMENT),
    # --- engine/Basic/ValidateAttributes.Tests.ps1 ---
    NotExpressible(VALIDATE, "Validate running time '<ScriptBlock>' [MandatoryFunc -ByteList $byteList]",
                   GENERIC_COLLECTIONS),
    NotExpressible(VALIDATE, "Validate running time '<ScriptBlock>' [MandatoryFunc -ByteCollection $byteCollection]",
                   GENERIC_COLLECTIONS),
    NotExpressible(VALIDATE, "COM enumerable argument should work with 'ValidateNotNull', 'ValidateNotNullOrEmpty' "
                   "and 'ValidateNotNullOrWhiteSpace'", COM_OBJECTS),
    # --- Language/Scripting/Dynamicparameters.Tests.ps1 ---
    NotExpressible(DYNAMIC, "The dynamic parameter is enabled and bound", DYNAMIC_PARAMETERS),
    NotExpressible(DYNAMIC, "Not specifying dynamic parameter shouldn't cause an error", DYNAMIC_PARAMETERS),
    NotExpressible(DYNAMIC, "Parameter is defined in Class", DYNAMIC_PARAMETERS),
]


class PartLeftOut(NamedTuple):
    source: str
    case: str
    part: str
    missing: str


PARTS_LEFT_OUT: list[PartLeftOut] = [
    PartLeftOut(SCRIPTING_PB, "Mandatory parameters used in non-interactive host",
                "the error is counted on the runspace's error stream", "nothing: only the binding error is checked"),
    PartLeftOut(COMMON, "(every expressible case)", "what the function writes to the debug, verbose, error and "
                "progress streams", "running a script function: only the binding of the common parameter is checked"),
    PartLeftOut(ENGINE_PB, "PipelineVariable should not cause variable-removal exception (issue #16155)",
                "the variable's value downstream and its removal afterwards", "running a pipeline"),
    PartLeftOut(ENGINE_PB, "should set the pipeline variable every time for a <CmdletType> [Script Cmdlet]",
                "the variable's value seen by Select-Object", "running a pipeline"),
    PartLeftOut(SPLATTING, "works on cmdlet", "$zoo receiving Get-Verb's output", "running the cmdlet"),
    PartLeftOut(VALIDATE, "Mandatory parameter should throw on empty collection",
                "-ByteList with an empty List[byte] and with an empty Collection[byte]", GENERIC_COLLECTIONS),
    PartLeftOut(VALIDATE, "Validate running time '<ScriptBlock>' (every row)", "the time limit",
                "the brief asks for functional checks without timing asserts"),
    PartLeftOut(DYNAMIC, "When the dynamic parameter is not available, and raises an error when specified",
                "the dynamicparam block itself", "the spec states the function as it is when the block adds nothing"),
    PartLeftOut(DYNAMIC, "No dynamic parameter shouldn't cause an errr ",
                "the dynamicparam block itself", "the spec states the function as it is when the block adds nothing"),
]


def not_expressible_count(source: str) -> int:
    return sum(1 for entry in NOT_EXPRESSIBLE if entry.source == source)


def render_counts_table() -> str:
    """README.md's counts table: every expressible case passes (test_catalog checks no xfail is left)."""
    lines = [
        "| PowerShell test file | found | not expressible | expressible | pass | xfail: differs | xfail: feature missing |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    totals = [0, 0, 0]
    for source, found in FOUND.items():
        not_expressible = not_expressible_count(source)
        expressible = found - not_expressible
        for i, value in enumerate((found, not_expressible, expressible)):
            totals[i] += value
        name = source.removeprefix("test/powershell/")
        lines.append(f"| {name} | {found} | {not_expressible} | {expressible} | {expressible} | 0 | 0 |")
    found, not_expressible, expressible = totals
    lines.append(f"| **total** | **{found}** | **{not_expressible}** | **{expressible}** | **{expressible}** | **0** | **0** |")
    return "\n".join(lines) + "\n"


def render_markdown() -> str:
    """NOT_EXPRESSIBLE.md's text."""
    lines = [
        "# PowerShell binding cases the spec format cannot state",
        "",
        "Written from `catalog.py` (`cd tests/binding && python -m powershell_suite.catalog > "
        "powershell_suite/NOT_EXPRESSIBLE.md`). Source files are paths in PowerShell/PowerShell at commit "
        "929903692e55. A case is an `It` block or one `-TestCases` row (row label in brackets).",
        "",
        "## Counts",
        "",
        "| source file | cases found | not expressible |",
        "|---|---:|---:|",
    ]
    for source, found in FOUND.items():
        lines.append(f"| `{source}` | {found} | {not_expressible_count(source)} |")
    lines.append(f"| total | {sum(FOUND.values())} | {len(NOT_EXPRESSIBLE)} |")
    lines += ["", "## Features missing (cases per feature)", ""]
    features: dict[str, int] = {}
    for entry in NOT_EXPRESSIBLE:
        for feature in entry.missing.split("; "):
            features[feature] = features.get(feature, 0) + 1
    for feature, count in sorted(features.items(), key=lambda pair: (-pair[1], pair[0])):
        lines.append(f"- {feature}: {count}")
    lines += ["", "## Cases", ""]
    current = None
    for entry in NOT_EXPRESSIBLE:
        if entry.source != current:
            current = entry.source
            lines += ["", f"### `{current}`", "", "| case | missing |", "|---|---|"]
        lines.append(f"| {entry.case.replace('|', '/')} | {entry.missing} |")
    lines += [
        "",
        "## Parts of expressible cases left out",
        "",
        "| source | case | part left out | why |",
        "|---|---|---|---|",
    ]
    for part in PARTS_LEFT_OUT:
        lines.append(f"| `{part.source.rsplit('/', 1)[-1]}` | {part.case} | {part.part} | {part.missing} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(render_markdown(), end="")
