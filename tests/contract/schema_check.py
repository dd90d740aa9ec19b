"""Request bodies checked against a schema of OpenAI's document with Ajv, where Prism does not check them.

Prism validates a body only when it can compile the operation's schema. ``CreateRunRequest`` and
``CreateThreadAndRunRequest`` do not compile in Ajv as written ("nullable" beside ``anyOf`` or ``$ref``
without a ``type``), so Prism lets any body of create run and create thread and run through. Here the
document is read with the js-yaml and Ajv that Prism's own install carries, OpenAPI 3.0's ``nullable`` is
rewritten as JSON Schema says it (``anyOf`` with ``{type: "null"}``), and each body is validated.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from prism_env import openapi_document, prism_binary

_SCRIPT = r"""
const [modules, documentPath, schemaName, bodiesPath] = process.argv.slice(2);
const yaml = require(modules + '/js-yaml');
const Ajv = require(modules + '/ajv').default;
const fs = require('fs');
// Safe loading only: js-yaml 3 (what the pinned Prism 5.16.0 carries) reads tags such as !!js/function
// with its plain loader; its safeLoad does not. (js-yaml 4 dropped safeLoad: an upgrade fails here, loudly.)
const doc = yaml.safeLoad(fs.readFileSync(documentPath, 'utf8'));
function openapiNullable(node) {
  if (Array.isArray(node)) { node.forEach(openapiNullable); return; }
  if (!node || typeof node !== 'object') return;
  Object.values(node).forEach(openapiNullable);
  if (node.nullable === true && node.type === undefined) {
    delete node.nullable;
    for (const key of ['anyOf', 'oneOf']) {
      if (Array.isArray(node[key])) { node[key].push({type: 'null'}); return; }
    }
    if (node.$ref) { node.anyOf = [{$ref: node.$ref}, {type: 'null'}]; delete node.$ref; }
  }
}
openapiNullable(doc.components);
const ajv = new Ajv({strict: false, allErrors: true, logger: false});
ajv.addSchema({components: doc.components}, 'doc');
const validate = ajv.compile({$ref: 'doc#/components/schemas/' + schemaName});
const bodies = JSON.parse(fs.readFileSync(bodiesPath, 'utf8'));
console.log(JSON.stringify(bodies.map(body => validate(body) ? [] :
  validate.errors.map(e => `${e.instancePath || '/'} ${e.message}`))));
"""


def node_modules() -> Path | None:
    """The node_modules folder of the Prism install (it holds js-yaml and Ajv)."""
    binary = prism_binary()
    if binary is None:
        return None
    for folder in Path(binary).resolve().parents:
        if folder.name == "node_modules":
            return folder
    return None


def schema_errors(schema: str, bodies: list[object], scratch: Path) -> list[list[str]]:
    """For each body, the schema's complaints about it (an empty list: it fits)."""
    modules, document = node_modules(), openapi_document()
    assert modules is not None and document is not None
    script = scratch / "check.js"
    script.write_text(_SCRIPT, encoding="utf-8")
    data = scratch / "bodies.json"
    data.write_text(json.dumps(bodies), encoding="utf-8")
    done = subprocess.run(["node", str(script), str(modules), str(document), schema, str(data)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result: list[list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
