"""The runtime layer: running bound calls.

Settings resolution and the configured transport (:mod:`.settings`), request planning from the
spec's operation (:mod:`.plan`), the executor with its pages (:mod:`.execute`; what keeps a
listing from repeating or running away in :mod:`.listing`), output objects (:mod:`.output`)
and their views (:mod:`.views`), the common parameters (:mod:`.common`), invocations and
pipelines (:mod:`.invocation`, :mod:`.lines`), and the commands with their registry and module
functions (:mod:`.command`, :mod:`.registry`, :mod:`.functions`).

It imports the spec, pslang, binding and http layers; never the command line or the server.
Importing it does not load urllib3 until a command runs.
"""
