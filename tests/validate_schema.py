#!/usr/bin/env python3
"""Validate a JSON document against a JSON Schema (draft 2020-12).
Usage: validate_schema.py SCHEMA DOCUMENT"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
validator = jsonschema.Draft202012Validator(schema)
errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
for e in errors[:10]:
    print("%s: %s" % ("/".join(str(p) for p in e.path) or "(root)", e.message))
sys.exit(1 if errors else 0)
