"""Reads cases (JSON on stdin) and answers how Debian's real supervisor reads them (JSON on stdout).

ini: the sections and options UnhosedConfigParser gives (supervisord's own parser);
env: datatypes.dict_of_key_value_pairs (how `environment =` is read);
fmt: options.expand (the %-expansion of every value).
"""
import json
import sys

from supervisor.datatypes import dict_of_key_value_pairs
from supervisor.options import UnhosedConfigParser, expand

cases = json.load(sys.stdin)
out = {"ini": [], "env": [], "fmt": []}
for text in cases["ini"]:
    parser = UnhosedConfigParser()
    try:
        parser.read_string(text)
        out["ini"].append({"ok": True, "sections": [[s, [[k, v] for k, v in parser.items(s)]] for s in parser.sections()]})
    except Exception as exc:  # a parse error: only that it failed matters
        out["ini"].append({"ok": False, "error": str(exc)})
for text in cases["env"]:
    try:
        out["env"].append({"ok": True, "env": dict_of_key_value_pairs(text)})
    except Exception as exc:
        out["env"].append({"ok": False, "error": str(exc)})
for text, expansions in cases["fmt"]:
    try:
        out["fmt"].append({"ok": True, "text": expand(text, expansions, "x")})
    except Exception as exc:
        out["fmt"].append({"ok": False, "error": str(exc)})
json.dump(out, sys.stdout)
