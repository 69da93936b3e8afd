#!/usr/bin/env python3
"""Offline schema validation for the deployment checks (run by test/deploy/*.test.ts with .tools/venv/bin/python).

  validate.py k8s --kubernetes-version 1.33.0 FILE   rendered Helm output (multi-document YAML)
  validate.py compose FILE                            a docker-compose.yml

Prints one JSON object on stdout: {"ok": bool, "results": [...]} and exits 0 when everything validated, 1 otherwise.

k8s: built-in kinds are validated strictly (unknown fields rejected) with kubernetes-validate, which ships the
Kubernetes OpenAPI schemas for each minor version. Custom resources (KEDA ScaledObject/TriggerAuthentication,
prometheus-operator ServiceMonitor) are validated against the openAPIV3Schema of their CRDs, vendored in
test/deploy/schemas/ (see README.md there), made strict the same way (additionalProperties: false wherever the CRD
lists properties and does not preserve unknown fields). A kind with no schema at all is a failure, never a skip.

compose: the Compose Specification JSON schema (test/deploy/schemas/compose-spec.json), draft-07.
"""

import argparse
import copy
import json
import sys
from pathlib import Path

import jsonschema
import yaml
import kubernetes_validate.utils as kv

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"  # test/deploy/schemas (this file is in support/)


def strict(schema):
    """Returns a copy of a CRD structural schema that rejects fields it does not declare."""
    schema = copy.deepcopy(schema)

    def walk(node):
        if not isinstance(node, dict):
            return
        if (
            "properties" in node
            and "additionalProperties" not in node
            and not node.get("x-kubernetes-preserve-unknown-fields")
        ):
            node["additionalProperties"] = False
        for key in ("properties", "patternProperties", "definitions"):
            for child in node.get(key, {}).values():
                walk(child)
        for key in ("items", "additionalProperties", "not"):
            walk(node.get(key))
        for key in ("allOf", "anyOf", "oneOf"):
            for child in node.get(key, []):
                walk(child)

    walk(schema)
    return schema


def crd_schema(api_version, kind):
    group_version = api_version.replace("/", "-")
    path = SCHEMAS / f"{group_version}-{kind.lower()}.json"
    if not path.exists():
        return None
    return strict(json.loads(path.read_text()))


def error_list(validator, document):
    return [
        f"{'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
    ]


def validate_k8s(path, version):
    documents = [d for d in yaml.safe_load_all(Path(path).read_text()) if d]
    results = []
    for doc in documents:
        api_version, kind = doc.get("apiVersion", ""), doc.get("kind", "")
        name = (doc.get("metadata") or {}).get("name", "")
        entry = {"apiVersion": api_version, "kind": kind, "name": name}
        try:
            kv.validate(doc, version, strict=True)
            entry.update(status="valid", validator="kubernetes-validate")
        except kv.ValidationError as e:
            where = ".".join(str(p) for p in e.path) or "(root)"
            entry.update(status="invalid", validator="kubernetes-validate", errors=[f"{where}: {e.message}"])
        except kv.SchemaNotFoundError:
            schema = crd_schema(api_version, kind)
            if schema is None:
                entry.update(status="no-schema", errors=[f"no schema for {kind} {api_version}"])
            else:
                errors = error_list(jsonschema.Draft7Validator(schema), doc)
                entry.update(status="invalid" if errors else "valid", validator="crd-schema")
                if errors:
                    entry["errors"] = errors
        results.append(entry)
    return results


def validate_compose(path):
    schema = json.loads((SCHEMAS / "compose-spec.json").read_text())
    document = yaml.safe_load(Path(path).read_text())
    errors = error_list(jsonschema.Draft7Validator(schema), document)
    return [{"kind": "compose", "name": str(path), "status": "invalid" if errors else "valid", "errors": errors}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    k8s = sub.add_parser("k8s")
    k8s.add_argument("--kubernetes-version", required=True)
    k8s.add_argument("file")
    compose = sub.add_parser("compose")
    compose.add_argument("file")
    args = parser.parse_args()

    results = validate_k8s(args.file, args.kubernetes_version) if args.mode == "k8s" else validate_compose(args.file)
    ok = bool(results) and all(r["status"] == "valid" for r in results)
    json.dump({"ok": ok, "results": results}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
