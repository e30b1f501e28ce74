#!/usr/bin/env python3
"""Validates SARIF logs against the SARIF 2.1.0 JSON schema.

usage: validate-sarif.py SCHEMA LOG...
Prints `valid: LOG` for each valid log, the schema errors otherwise, and
exits 1 when any log is invalid.
"""
import json
import sys

import jsonschema


def main():
    schema_path, *logs = sys.argv[1:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    invalid = False
    for path in logs:
        with open(path, encoding="utf-8") as f:
            log = json.load(f)
        errors = sorted(validator.iter_errors(log), key=lambda e: e.path)
        if not errors:
            print(f"valid: {path}")
            continue
        invalid = True
        for error in errors:
            where = "/".join(str(p) for p in error.absolute_path)
            print(f"invalid: {path}: /{where}: {error.message}")
    sys.exit(1 if invalid else 0)


if __name__ == "__main__":
    main()
